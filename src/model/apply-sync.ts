/**
 * Incremental sync: apply the `compound_mementos_` of an SSyncCmd to the model (ecflow-protocol.md
 * §7.2, §8, §8.1; ecflow-protocol-5.17.md §5: NodeAvisoMemento / NodeMirrorMemento, the FlagMemento
 * that 5.13+ appends to clear compounds, duplicate variable names).
 *
 * Per compound: find the node by path ('/' = the defs), and if `clearAttributes` drop all of its
 * attributes except autocancel/autoarchive/autorestore (ecFlow's Node::clear) and treat every
 * memento as "add". Otherwise each memento updates in place (by name or structure) and adds when
 * nothing matches. An unknown memento type, or one that does not fit the node kind, is skipped
 * with a warning. A path that does not exist throws EcflowError(SYNC): the caller must do a full
 * sync (the model may be partly updated then).
 *
 * Pure module: no Node or DOM types.
 */

import { EcflowError, ErrorCode } from '../errors.js';
import type { CompoundMemento, Memento } from '../protocol/replies.js';
import { Variable } from './attributes.js';
import type { Defs } from './defs.js';
import { Alias, Family, NodeContainer, Suite, Task, type AttrListKey, type Node, type NodeAttrs } from './node.js';
import type { DState, NState, SState } from './types.js';
import * as C from './cereal-attrs.js';
import type { CerealObj } from './cereal-attrs.js';
import { DUMMY_JOBS_PASSWORD, nodeFromCereal } from './cereal-node.js';

export type { CompoundMemento, Memento };

/**
 * Apply compound mementos in order, then set the defs' change numbers.
 * Returns warnings (skipped mementos); throws EcflowError(SYNC) when a path is unknown.
 *
 * @example
 * const warnings = applyCompoundMementos(defs, reply.compounds, reply.stateChangeNo, reply.modifyChangeNo);
 */
export function applyCompoundMementos(
  defs: Defs,
  compounds: readonly CompoundMemento[],
  stateChangeNo: number,
  modifyChangeNo: number,
): string[] {
  const warnings: string[] = [];
  let lastPath = '';
  let lastNode: Node | undefined;
  for (const compound of compounds) {
    const path = compound.path;
    if (path === '/' || path === '') {
      for (const m of compound.mementos) applyDefsMemento(defs, m, warnings);
      continue;
    }
    let node = path === lastPath ? lastNode : undefined;
    if (node === undefined) {
      node = defs.findNode(path);
      if (node === undefined) {
        throw new EcflowError(ErrorCode.SYNC, `incremental sync: no node at path ${path}; a full sync is needed`);
      }
      lastPath = path;
      lastNode = node;
    }
    const clear = compound.clearAttributes;
    if (clear) {
      node.clearAttributes();
      if (node.attrs !== undefined) node.attrs.unknown = undefined;
    }
    const ctx: ApplyContext = { node, clear, varCursor: 0, warnings, path };
    for (const m of compound.mementos) applyNodeMemento(ctx, m);
  }
  defs.stateChange = stateChangeNo;
  defs.modifyChange = modifyChangeNo;
  return warnings;
}

interface ApplyContext {
  node: Node;
  clear: boolean;
  /** Position of the next NodeVariableMemento (all variables of a node come together, in order). */
  varCursor: number;
  warnings: string[];
  path: string;
}

function applyDefsMemento(defs: Defs, m: Memento, warnings: string[]): void {
  switch (m.$type) {
    case 'StateMemento':
      defs.state = C.num(m, 'state_') as NState;
      return;
    case 'ServerStateMemento':
      defs.serverState = C.num(m, 'state_', 2) as SState;
      return;
    case 'ServerVariableMemento':
      defs.serverVariables = C.objs(m, 'serverEnv_').map(C.variableFrom);
      return;
    case 'FlagMemento':
      defs.flags = C.flagFrom(C.obj(m, 'flag_'));
      return;
    case 'OrderMemento': {
      const order = reorder(defs.suites, C.arr(m, 'order_'));
      if (order === undefined) warnings.push('OrderMemento on /: the names do not match the suites, ignored');
      else defs.setSuites(order as Suite[]);
      return;
    }
    default:
      warnings.push(`memento ${m.$type} on / is not handled, skipped`);
  }
}

/**
 * The nodes in the order of `names`. ecFlow only reorders when every node is named; for the defs
 * (client handles hold a subset of the suites) unnamed nodes keep their place at the end.
 */
function reorder(nodes: readonly Node[], names: readonly unknown[]): Node[] | undefined {
  const out: Node[] = [];
  const used = new Set<Node>();
  for (const n of names) {
    const node = nodes.find((x) => x.name === n && !used.has(x));
    if (node !== undefined) {
      out.push(node);
      used.add(node);
    }
  }
  if (out.length === 0 && nodes.length > 0) return undefined;
  for (const n of nodes) if (!used.has(n)) out.push(n);
  return out;
}

/** Add to a list attribute, or replace the first element that `same` matches (unless clearing). */
function upsert<K extends AttrListKey>(
  ctx: ApplyContext,
  key: K,
  item: NonNullable<NodeAttrs[K]>[number],
  same: (x: NonNullable<NodeAttrs[K]>[number]) => boolean,
  update?: (existing: NonNullable<NodeAttrs[K]>[number]) => void,
): void {
  if (!ctx.clear) {
    const list = ctx.node.attrs?.[key] as Array<NonNullable<NodeAttrs[K]>[number]> | undefined;
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        if (same(list[i]!)) {
          if (update !== undefined) update(list[i]!);
          else list[i] = item;
          return;
        }
      }
    }
  }
  ctx.node.addAttr(key, item);
}

type Handler = (ctx: ApplyContext, m: Memento) => void;

/** Add or replace-by-name helper for the many "replace by name, else add" mementos. */
const byName =
  <K extends 'labels' | 'queues' | 'generics' | 'avisos' | 'mirrors'>(key: K, member: string, conv: (o: CerealObj) => NonNullable<NodeAttrs[K]>[number]): Handler =>
  (ctx, m) => {
    const item = conv(C.obj(m, member));
    upsert(ctx, key, item, (x) => x.name === item.name);
  };

const setTime =
  (key: 'times' | 'todays'): Handler =>
  (ctx, m) => {
    const t = C.timeFrom(C.obj(m, 'attr_'));
    upsert(ctx, key, t, (x) => x.series.sameDefinition(t.series));
  };

const setExpression =
  (which: 'trigger' | 'complete'): Handler =>
  (ctx, m) => {
    const exp = C.expressionFrom(C.obj(m, 'exp_'));
    const a = ctx.node.attributes();
    const existing = a[which];
    if (existing !== undefined && !ctx.clear) existing.free = exp.free;
    else a[which] = exp;
  };

/** Memento type → handler: one hash lookup per memento instead of a chain of string compares. */
const HANDLERS = new Map<string, Handler>([
  [
    'NodeStateMemento',
    (ctx, m) => {
      const st = C.obj(m, 'state_');
      const first = st['first'];
      ctx.node.state = (typeof first === 'number' ? first : C.num(C.obj(st, 'first'), 'st_')) as NState;
      ctx.node.dur = C.duration(st, 'second');
    },
  ],
  ['NodeDefStatusDeltaMemento', (ctx, m) => void (ctx.node.defStatus = C.num(m, 'state_', 2) as DState)],
  ['SuspendedMemento', (ctx, m) => void (ctx.node.suspended = C.bool(m, 'suspended_'))],
  ['FlagMemento', (ctx, m) => void (ctx.node.flags = C.flagFrom(C.obj(m, 'flag_')))],
  [
    'NodeEventMemento',
    (ctx, m) => {
      const ev = C.eventFrom(C.obj(m, 'event_'));
      // ecFlow's set_event(name_or_number): by name first, then by number
      const existing = ctx.clear ? undefined : ctx.node.findEvent(ev.nameOrNumber);
      if (existing !== undefined) existing.value = ev.value;
      else ctx.node.addAttr('events', ev);
    },
  ],
  [
    'NodeMeterMemento',
    (ctx, m) => {
      const meter = C.meterFrom(C.obj(m, 'meter_'));
      upsert(ctx, 'meters', meter, (x) => x.name === meter.name, (x) => void (x.value = meter.value));
    },
  ],
  ['NodeLabelMemento', byName('labels', 'label_', C.labelFrom)],
  ['NodeVariableMemento', (ctx, m) => applyVariable(ctx, C.variableFrom(C.obj(m, 'var_')))],
  [
    'NodeLimitMemento',
    (ctx, m) => {
      const limit = C.limitFrom(C.obj(m, 'limit_'));
      upsert(ctx, 'limits', limit, (x) => x.name === limit.name, (x) => {
        x.max = limit.max;
        x.value = limit.value;
        x.paths = limit.paths;
      });
    },
  ],
  ['NodeInLimitMemento', (ctx, m) => ctx.node.addAttr('inlimits', C.inlimitFrom(C.obj(m, 'inlimit_')))],
  ['NodeTriggerMemento', setExpression('trigger')],
  ['NodeCompleteMemento', setExpression('complete')],
  [
    'NodeRepeatMemento',
    (ctx, m) => {
      const rep = C.repeatFrom(C.obj(m, 'repeat_'));
      if (rep === undefined) {
        ctx.warnings.push(`${ctx.path}: NodeRepeatMemento of an unknown repeat kind skipped`);
        return;
      }
      const a = ctx.node.attributes();
      if (a.repeat !== undefined && !ctx.clear) a.repeat.value = rep.value;
      else a.repeat = rep;
    },
  ],
  [
    'NodeRepeatIndexMemento',
    (ctx, m) => {
      const r = ctx.node.attrs?.repeat;
      if (r !== undefined && r.kind !== 'day') r.value = C.num(m, 'index_or_value_');
    },
  ],
  ['NodeTimeMemento', setTime('times')],
  ['NodeTodayMemento', setTime('todays')],
  [
    'NodeDayMemento',
    (ctx, m) => {
      const d = C.dayFrom(C.obj(m, 'attr_'));
      upsert(ctx, 'days', d, (x) => x.day === d.day);
    },
  ],
  [
    'NodeDateMemento',
    (ctx, m) => {
      const d = C.dateFrom(C.obj(m, 'attr_'));
      upsert(ctx, 'dates', d, (x) => x.day === d.day && x.month === d.month && x.year === d.year, (x) => void (x.free = d.free));
    },
  ],
  [
    'NodeCronMemento',
    (ctx, m) => {
      const c = C.cronFrom(C.obj(m, 'attr_'));
      upsert(ctx, 'crons', c, (x) => x.sameDefinition(c));
    },
  ],
  [
    'NodeLateMemento',
    (ctx, m) => {
      const late = C.lateFrom(C.obj(m, 'late_'));
      const a = ctx.node.attributes();
      if (a.late !== undefined && !ctx.clear) a.late.isLate = late.isLate;
      else a.late = late;
    },
  ],
  [
    'NodeZombieMemento',
    (ctx, m) => {
      const z = C.zombieFrom(C.obj(m, 'attr_'));
      upsert(ctx, 'zombies', z, (x) => x.type === z.type);
    },
  ],
  [
    'NodeVerifyMemento',
    (ctx, m) => {
      const list = C.objs(m, 'verifys_').map(C.verifyFrom);
      ctx.node.attributes().verifies = list.length === 0 ? undefined : list;
    },
  ],
  ['NodeQueueMemento', byName('queues', 'queue_', C.queueFrom)],
  [
    'NodeQueueIndexMemento',
    (ctx, m) => {
      const name = C.str(m, 'name_');
      const q = ctx.node.attrs?.queues?.find((x) => x.name === name);
      if (q === undefined) ctx.warnings.push(`${ctx.path}: NodeQueueIndexMemento for unknown queue ${name} skipped`);
      else {
        q.index = C.num(m, 'index_');
        q.states = C.arr(m, 'state_vec_').map((x) => (typeof x === 'number' ? x : 0));
      }
    },
  ],
  ['NodeGenericMemento', byName('generics', 'generic_', C.genericFrom)],
  ['NodeAvisoMemento', byName('avisos', 'aviso_', C.avisoFrom)],
  ['NodeMirrorMemento', byName('mirrors', 'mirror_', C.mirrorFrom)],
  [
    'SubmittableMemento',
    (ctx, m) => {
      const node = ctx.node;
      if (!(node instanceof Task || node instanceof Alias)) return applyKindMemento(ctx, m);
      const pw = C.str(m, 'paswd_');
      node.jobsPassword = pw === DUMMY_JOBS_PASSWORD ? '' : pw;
      node.rid = C.str(m, 'rid_');
      node.abortReason = C.abortReasonFrom(m, 'abr_');
      node.tryNo = C.num(m, 'tryNo_');
    },
  ],
]);

function applyNodeMemento(ctx: ApplyContext, m: Memento): void {
  const handler = HANDLERS.get(m.$type);
  if (handler !== undefined) handler(ctx, m);
  else applyKindMemento(ctx, m);
}

/** NodeVariableMemento: in order when the node's variables line up (duplicates), else by name. */
function applyVariable(ctx: ApplyContext, v: Variable): void {
  if (ctx.clear) {
    ctx.node.addAttr('variables', v);
    return;
  }
  const vars = ctx.node.attrs?.variables;
  if (vars !== undefined) {
    const atCursor = vars[ctx.varCursor];
    if (atCursor !== undefined && atCursor.name === v.name) {
      atCursor.value = v.value;
      ctx.varCursor++;
      return;
    }
    for (let i = vars.length - 1; i >= 0; i--) {
      if (vars[i]!.name === v.name) {
        vars[i]!.value = v.value;
        ctx.varCursor = i + 1;
        return;
      }
    }
  }
  ctx.node.addAttr('variables', v);
  ctx.varCursor = ctx.node.attrs!.variables!.length;
}

/** Mementos that only apply to one kind of node. */
function applyKindMemento(ctx: ApplyContext, m: Memento): void {
  const node = ctx.node;
  const wrongKind = (): void => {
    ctx.warnings.push(`${ctx.path}: ${m.$type} does not apply to a ${node.kind}, skipped`);
  };
  switch (m.$type) {
    case 'SubmittableMemento':
      if (!(node instanceof Task || node instanceof Alias)) return wrongKind();
      {
        const pw = C.str(m, 'paswd_');
        node.jobsPassword = pw === DUMMY_JOBS_PASSWORD ? '' : pw;
        node.rid = C.str(m, 'rid_');
        node.abortReason = C.abortReasonFrom(m, 'abr_');
        node.tryNo = C.num(m, 'tryNo_');
      }
      return;
    case 'AliasNumberMemento':
      if (!(node instanceof Task)) return wrongKind();
      node.aliasNo = C.num(m, 'alias_no_');
      return;
    case 'AliasChildrenMemento': {
      if (!(node instanceof Task)) return wrongKind();
      const aliases: Alias[] = [];
      for (const o of C.objs(m, 'children_')) {
        const a = nodeFromCereal(o, ctx.warnings, 'Alias');
        if (a instanceof Alias) aliases.push(a);
      }
      node.setAliases(aliases);
      return;
    }
    case 'ChildrenMemento': {
      if (!(node instanceof NodeContainer)) return wrongKind();
      const kids: Node[] = [];
      for (const o of C.objs(m, 'children_')) {
        const child = nodeFromCereal(o, ctx.warnings);
        if (child instanceof Family || child instanceof Task) kids.push(child);
        else if (child !== undefined) ctx.warnings.push(`${ctx.path}: ChildrenMemento holds a ${child.kind}, skipped`);
      }
      node.setChildren(kids);
      return;
    }
    case 'OrderMemento': {
      const names = C.arr(m, 'order_');
      if (node instanceof NodeContainer) {
        const order = strictOrder(node.children, names);
        if (order === undefined) ctx.warnings.push(`${ctx.path}: OrderMemento names do not match the children, ignored`);
        else node.setChildren(order);
      } else if (node instanceof Task) {
        const order = strictOrder(node.aliases, names);
        if (order === undefined) ctx.warnings.push(`${ctx.path}: OrderMemento names do not match the aliases, ignored`);
        else node.setAliases(order as Alias[]);
      } else wrongKind();
      return;
    }
    case 'SuiteClockMemento':
      if (!(node instanceof Suite)) return wrongKind();
      node.clock = C.clockFrom(C.obj(m, 'clockAttr_'));
      return;
    case 'SuiteBeginDeltaMemento':
      if (!(node instanceof Suite)) return wrongKind();
      node.begun = C.bool(m, 'begun_');
      return;
    case 'SuiteCalendarMemento':
      if (!(node instanceof Suite)) return wrongKind();
      node.calendar = C.calendarFrom(C.obj(m, 'cal_'));
      return;
    default:
      ctx.warnings.push(`${ctx.path}: unknown memento ${m.$type} skipped`);
  }
}

/** ecFlow's NodeContainer/Task reorder: only when every child is named exactly once. */
function strictOrder(nodes: readonly Node[], names: readonly unknown[]): Node[] | undefined {
  if (names.length !== nodes.length) return undefined;
  const out: Node[] = [];
  for (const n of names) {
    const node = nodes.find((x) => x.name === n);
    if (node === undefined) return undefined;
    out.push(node);
  }
  return out;
}

export type { CerealObj };
