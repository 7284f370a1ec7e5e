/**
 * cereal node trees → model nodes (ecflow-protocol.md §8.3; ecflow-protocol-5.17.md §5.3), for
 * `ChildrenMemento` and `AliasChildrenMemento`. Input is `readCereal` output: a polymorphic node is
 * one flat object with `$type` (`Family`, `Task`, `Alias`, `Suite`), the Node members (`n_`, `st_`,
 * `vars_`, …), the Submittable members (`paswd_`, `rid_`, `abr_`, `tryNo_`) and `nodes_` for
 * containers. Note that in a node `st_.first` is an object `{st_: NState}`.
 *
 * Pure module: no Node or DOM types.
 */

import { Alias, Family, NodeAttrs, Suite, Task, type Node, type Submittable } from './node.js';
import type { DState, NState } from './types.js';
import * as C from './cereal-attrs.js';
import type { CerealObj } from './cereal-attrs.js';

/** ecFlow's placeholder jobs password; treated as "no password" like the NET text does. */
export const DUMMY_JOBS_PASSWORD = '_DJP_';

/**
 * Build a model node (with its subtree) from a cereal node object. Unknown `$type`s give
 * `undefined` and a warning.
 *
 * @example nodeFromCereal(readCereal(json).children_[0], warnings)
 */
export function nodeFromCereal(o: CerealObj, warnings: string[], kindHint?: 'Alias'): Node | undefined {
  const type = kindHint ?? C.str(o, '$type');
  const name = C.str(o, 'n_');
  let node: Node;
  switch (type) {
    case 'Task': {
      const task = new Task(name);
      task.aliasNo = C.num(o, 'alias_no_');
      const aliases: Alias[] = [];
      for (const a of C.objs(o, 'aliases_')) {
        const alias = nodeFromCereal(a, warnings, 'Alias');
        if (alias instanceof Alias) aliases.push(alias);
      }
      if (aliases.length > 0) task.setAliases(aliases);
      submittableFrom(task, o);
      node = task;
      break;
    }
    case 'Alias': {
      const alias = new Alias(name);
      submittableFrom(alias, o);
      node = alias;
      break;
    }
    case 'Family':
    case 'Suite': {
      const container = type === 'Family' ? new Family(name) : new Suite(name);
      const kids: Node[] = [];
      for (const c of C.objs(o, 'nodes_')) {
        const child = nodeFromCereal(c, warnings);
        if (child instanceof Family || child instanceof Task) kids.push(child);
        else if (child !== undefined) warnings.push(`cereal node ${name}: a ${child.kind} cannot be a child, skipped`);
      }
      container.setChildren(kids);
      if (container instanceof Suite) {
        container.begun = C.bool(o, 'begun_');
        if (C.has(o, 'clockAttr_')) container.clock = C.clockFrom(C.obj(o, 'clockAttr_'));
        if (C.has(o, 'clock_end_attr_')) container.endClock = C.clockFrom(C.obj(o, 'clock_end_attr_'));
        if (C.has(o, 'cal_')) container.calendar = C.calendarFrom(C.obj(o, 'cal_'));
      }
      node = container;
      break;
    }
    default:
      warnings.push(`cereal node '${name}' of unknown type '${type}' skipped`);
      return undefined;
  }
  nodeMembersFrom(node, o);
  return node;
}

function submittableFrom(n: Submittable, o: CerealObj): void {
  const pw = C.str(o, 'paswd_');
  n.jobsPassword = pw === DUMMY_JOBS_PASSWORD ? '' : pw;
  n.rid = C.str(o, 'rid_');
  n.abortReason = C.abortReasonFrom(o, 'abr_');
  n.tryNo = C.num(o, 'tryNo_');
}

/** The Node part: state, defstatus, suspended, flags and all attributes. */
export function nodeMembersFrom(node: Node, o: CerealObj): void {
  if (C.has(o, 'st_')) {
    const st = C.obj(o, 'st_');
    const first = st['first'];
    node.state = (typeof first === 'number' ? first : C.num(C.obj(st, 'first'), 'st_')) as NState;
    node.dur = C.duration(st, 'second');
  }
  node.suspended = C.bool(o, 'suspended_');
  if (C.has(o, 'd_st_')) node.defStatus = C.num(C.obj(o, 'd_st_'), 'st_', 2) as DState;
  if (C.has(o, 'flag_')) node.flags = C.flagFrom(C.obj(o, 'flag_'));
  const a = new NodeAttrs();
  let any = false;
  const list = <T>(key: string, conv: (x: CerealObj) => T): T[] | undefined => {
    const items = C.objs(o, key);
    if (items.length === 0) return undefined;
    any = true;
    return items.map(conv);
  };
  a.variables = list('vars_', C.variableFrom);
  a.labels = list('labels_', C.labelFrom);
  a.meters = list('meters_', C.meterFrom);
  a.events = list('events_', C.eventFrom);
  a.limits = list('limits_', C.limitFrom);
  a.inlimits = C.has(o, 'inLimitMgr_') ? listOf(C.obj(o, 'inLimitMgr_'), 'vec_', C.inlimitFrom) : undefined;
  a.times = list('times_', C.timeFrom);
  a.todays = list('todays_', C.timeFrom);
  a.dates = list('dates_', C.dateFrom);
  a.days = list('days_', C.dayFrom);
  a.crons = list('crons_', C.cronFrom);
  a.avisos = list('avisos_', C.avisoFrom);
  a.mirrors = list('mirrors_', C.mirrorFrom);
  if (C.has(o, 'misc_attrs_')) {
    const m = C.obj(o, 'misc_attrs_');
    a.zombies = listOf(m, 'zombies_', C.zombieFrom);
    a.verifies = listOf(m, 'verifys_', C.verifyFrom);
    a.queues = listOf(m, 'queues_', C.queueFrom);
    a.generics = listOf(m, 'generics_', C.genericFrom);
  }
  if (C.has(o, 't_expr_')) a.trigger = C.expressionFrom(C.obj(o, 't_expr_'));
  if (C.has(o, 'c_expr_')) a.complete = C.expressionFrom(C.obj(o, 'c_expr_'));
  if (C.has(o, 'late_')) a.late = C.lateFrom(C.obj(o, 'late_'));
  if (C.has(o, 'repeat_')) a.repeat = C.repeatFrom(C.obj(o, 'repeat_'));
  if (C.has(o, 'auto_cancel_')) a.autoCancel = C.autoTimeFrom(C.obj(o, 'auto_cancel_'));
  if (C.has(o, 'auto_archive_')) a.autoArchive = C.autoTimeFrom(C.obj(o, 'auto_archive_'));
  if (C.has(o, 'auto_restore_')) a.autoRestore = C.autoRestoreFrom(C.obj(o, 'auto_restore_'));
  if (
    any ||
    a.inlimits !== undefined ||
    a.zombies !== undefined ||
    a.verifies !== undefined ||
    a.queues !== undefined ||
    a.generics !== undefined ||
    a.trigger !== undefined ||
    a.complete !== undefined ||
    a.late !== undefined ||
    a.repeat !== undefined ||
    a.autoCancel !== undefined ||
    a.autoArchive !== undefined ||
    a.autoRestore !== undefined
  ) {
    node.attrs = a;
  }
}

function listOf<T>(o: CerealObj, key: string, conv: (x: CerealObj) => T): T[] | undefined {
  const items = C.objs(o, key);
  return items.length === 0 ? undefined : items.map(conv);
}
