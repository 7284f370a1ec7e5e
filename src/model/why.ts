/**
 * "Why is this node not running?" — computed on the client from the model, like
 * `ecflow_client --group="get; why=PATH"` and ecflow_ui's Why panel (both call ecFlow's
 * `Node::bottom_up_why`; the UI does a SYNC_CLOCK first so that the suite calendars are current,
 * ecflow-protocol.md §9.1).
 *
 * The reasons, in ecFlow's order: the server (not RUNNING) or the definition state; then for the
 * suite, each family down to the node, and the node itself: suspended, or a state other than
 * queued/aborted (for a task that ends its list); full limits of its inlimits; day, date, today,
 * time and cron attributes still holding; avisos and mirrors (5.13+); the trigger when it is false
 * (unless a complete expression holds or is freed, or the trigger is freed).
 *
 * Each reason's `text` is ecflow_client's line, character for character; `details` add plain
 * words ecFlow does not give (which part of a trigger fails, defstatus, a finished repeat…).
 *
 * Pure module: no Node or DOM types.
 */

import type { Expression, InLimit, Limit } from './attributes.js';
import type { Defs } from './defs.js';
import { evaluate } from './expression-eval.js';
import { explain, failingDetails, type ExplainNode } from './expression-explain.js';
import { whyExpressionText } from './expression-text.js';
import { resolveExprPath } from './expression-context.js';
import { expressionAst, ModelExpressionContext } from './expression-model.js';
import type { Node } from './node.js';
import { Suite } from './node.js';
import { DState, NSTATE_NAMES, NState, SState } from './types.js';
import { calendarOf, cronDetails, cronWhy, dateDetails, dateWhy, dayWhy, timeWhy } from './why-time.js';

export type WhyReasonKind =
  | 'server'
  | 'defs'
  | 'suspended'
  | 'state'
  | 'limit'
  | 'day'
  | 'date'
  | 'today'
  | 'time'
  | 'cron'
  | 'aviso'
  | 'mirror'
  | 'trigger';

/** One reason why a node does not run. */
export interface WhyReason {
  readonly kind: WhyReasonKind;
  /** The node the reason is about ('' for the server and the definition). */
  readonly path: string;
  /** The line exactly as `ecflow_client --why` prints it. */
  readonly text: string;
  /** Extra plain-word explanations (may be empty). */
  readonly details: readonly string[];
  /** For `trigger`: the explained expression (see `explain`). */
  readonly expression?: ExplainNode;
}

export interface WhyOptions {
  /** Add the `details` of each reason as indented `  - …` lines (default true). */
  details?: boolean;
}

/**
 * Reasons why `node` is not running, as text lines. With `{ details: false }` the lines are
 * those of `ecflow_client --group="get; why=PATH"`.
 *
 * @example
 * why(defs, defs.findNode('/s/f/t2')!)
 * // ['TASK /s/f/t2(queued) expression (t1(queued) == complete) is false',
 * //  '  - /s/f/t1 is queued, expected complete']
 */
export function why(defs: Defs, node: Node, options: WhyOptions = {}): string[] {
  const withDetails = options.details ?? true;
  const out: string[] = [];
  for (const r of whyReasons(defs, node)) {
    out.push(r.text);
    if (withDetails) for (const d of r.details) out.push(`  - ${d}`);
  }
  return out;
}

/** The reasons as structured items (for a UI that links paths and shows the trigger tree). */
export function whyReasons(defs: Defs, node: Node): WhyReason[] {
  const out: WhyReason[] = [];
  defsWhy(defs, out);
  const chain: Node[] = [];
  for (let n: Node | undefined = node; n !== undefined; n = n.parent) chain.unshift(n);
  for (const n of chain) nodeWhy(defs, n, out);
  return out;
}

function defsWhy(defs: Defs, out: WhyReason[]): void {
  if (defs.serverState !== SState.RUNNING) {
    const halted = defs.serverState === SState.HALTED;
    out.push({
      kind: 'server',
      path: '',
      text: 'The server is *not* RUNNING.',
      details: [
        halted
          ? 'the server is HALTED: it submits no jobs and refuses commands from running jobs'
          : 'the server is SHUTDOWN: it submits no new jobs',
      ],
    });
    return;
  }
  if (defs.state !== NState.QUEUED && defs.state !== NState.ABORTED) {
    out.push({
      kind: 'defs',
      path: '',
      text: `The definition state(${NSTATE_NAMES[defs.state]}) is not queued or aborted.`,
      details: [],
    });
  }
}

const TYPE_NAMES = { suite: 'SUITE', family: 'FAMILY', task: 'TASK', alias: 'ALIAS' } as const;

function nodeWhy(defs: Defs, node: Node, out: WhyReason[]): void {
  const path = node.path;
  const type = TYPE_NAMES[node.kind];
  const stateName = NSTATE_NAMES[node.state];
  if (node.suspended) {
    const details = node.defStatus === DState.SUSPENDED ? ['defstatus suspended: suspended again on every begin/requeue'] : [];
    out.push({ kind: 'suspended', path, text: `${type}:${path} is suspended`, details });
  } else if (node.state !== NState.QUEUED && node.state !== NState.ABORTED) {
    out.push({ kind: 'state', path, text: `${type}:${path} (${stateName}) is not queued or aborted`, details: stateDetails(defs, node) });
    if (node.kind === 'task') return;
  }

  limitWhy(defs, node, out);

  const prefix = `${type} ${path}(${stateName}) `;
  const suite = node.suite;
  const cal = suite?.calendar === undefined ? undefined : calendarOf(suite.calendar);
  const a = node.attrs;
  if (cal !== undefined && a !== undefined) {
    const days = a.days ?? [];
    const dates = a.dates ?? [];
    for (const d of days) {
      const t = dayWhy(d, cal);
      if (t !== undefined) out.push({ kind: 'day', path, text: prefix + t, details: [] });
    }
    for (const d of dates) {
      const t = dateWhy(d, cal);
      if (t !== undefined) out.push({ kind: 'date', path, text: prefix + t, details: dateDetails(d, cal) });
    }
    for (const t of a.todays ?? []) {
      const s = timeWhy(t, cal, days, dates, true);
      if (s !== undefined) out.push({ kind: 'today', path, text: prefix + s, details: [] });
    }
    for (const t of a.times ?? []) {
      const s = timeWhy(t, cal, days, dates, false);
      if (s !== undefined) out.push({ kind: 'time', path, text: prefix + s, details: [] });
    }
    for (const c of a.crons ?? []) {
      const s = cronWhy(c, cal);
      if (s !== undefined) out.push({ kind: 'cron', path, text: prefix + s, details: cronDetails(c, cal) });
    }
  }
  // 5.13+: the model does not carry an aviso's "notified" state, so a queued node is held by it.
  for (const av of a?.avisos ?? []) {
    out.push({ kind: 'aviso', path, text: `${prefix} is Aviso dependent (${av.listener}), but no notification received`, details: [] });
  }
  for (const m of a?.mirrors ?? []) {
    out.push({ kind: 'mirror', path, text: `${prefix} is a Mirror of ${m.remotePath} at '${m.remoteHost}:${m.remotePort}'`, details: [] });
  }

  const ctx = new ModelExpressionContext(defs, path);
  const complete = node.complete;
  const completeAst = complete === undefined ? undefined : expressionAst(complete);
  if (complete !== undefined && completeAst !== undefined && (complete.free || evaluate(completeAst, ctx))) return;
  const trigger = node.trigger;
  const triggerAst = trigger === undefined ? undefined : expressionAst(trigger);
  if (trigger === undefined || triggerAst === undefined || trigger.free) return;
  if (evaluate(triggerAst, ctx)) return;
  const explained = explain(triggerAst, ctx);
  out.push({
    kind: 'trigger',
    path,
    text: `${prefix}expression ${whyExpressionText(triggerAst, ctx)} is false`,
    details: failingDetails(explained),
    expression: explained,
  });
}

/** Plain words for a node that is not queued/aborted. */
function stateDetails(defs: Defs, node: Node): string[] {
  const details: string[] = [];
  if (node.kind === 'suite' && node instanceof Suite && !node.begun) details.push('the suite has not been begun');
  if (node.state === NState.COMPLETE) {
    if (node.defStatus === DState.COMPLETE) details.push('defstatus complete: set complete on every begin/requeue');
    const complete = node.complete;
    const ast = complete === undefined ? undefined : expressionAst(complete);
    if (complete !== undefined && ast !== undefined) {
      if (complete.free) details.push('its complete expression was freed');
      else if (evaluate(ast, new ModelExpressionContext(defs, node.path))) details.push(`its complete expression holds: ${complete.text}`);
    }
    const r = node.repeat;
    if (r !== undefined && repeatFinished(r)) details.push(`repeat ${r.name} has run all its values`);
  } else if (node.state === NState.ACTIVE || node.state === NState.SUBMITTED) {
    if (node.kind === 'task' || node.kind === 'alias') details.push(`its job is ${NSTATE_NAMES[node.state]}`);
  }
  return details;
}

function repeatFinished(r: { kind: string; start: number; end: number; step: number; value: number; strings?: string[] | undefined; numbers?: number[] | undefined }): boolean {
  if (r.kind === 'day') return false;
  const n = r.strings?.length ?? r.numbers?.length;
  if (n !== undefined) return r.value >= n;
  return r.step > 0 ? r.value > r.end : r.value < r.end;
}

// ---- limits -----------------------------------------------------------------------------------

/** The limit an inlimit consumes (ecFlow InLimitMgr::find_limit). */
function findLimit(defs: Defs, node: Node, inlimit: InLimit): { limit: Limit; owner: string } | undefined {
  if (inlimit.path === '') {
    for (let n: Node | undefined = node; n !== undefined; n = n.parent) {
      const l = n.findLimit(inlimit.name);
      if (l !== undefined) return { limit: l, owner: n.path };
    }
    return undefined;
  }
  const target = resolveExprPath(node.path, inlimit.path, (p) => defs.findNode(p) !== undefined);
  const owner = target === undefined ? undefined : defs.findNode(target);
  const l = owner?.findLimit(inlimit.name);
  return l === undefined || owner === undefined ? undefined : { limit: l, owner: owner.path };
}

function fits(limit: Limit, tokens: number): boolean {
  return limit.value + tokens <= limit.max;
}

function limitWhy(defs: Defs, node: Node, out: WhyReason[]): void {
  const inlimits = node.attrs?.inlimits;
  if (inlimits === undefined || inlimits.length === 0) return;
  const found = inlimits.map((i) => ({ i, l: findLimit(defs, node, i) }));
  let withLimit = 0;
  let inside = 0;
  for (const { i, l } of found) {
    if (i.nodeOnly && i.incremented) continue;
    if (l === undefined) continue;
    withLimit++;
    if (fits(l.limit, i.tokens)) inside++;
  }
  if (withLimit === inside) return;
  for (const { i, l } of found) {
    if (l === undefined || fits(l.limit, i.tokens)) continue;
    const { limit, owner } = l;
    const paths = [...limit.paths].sort();
    let consumers = '(';
    for (let k = 0; k < paths.length; k++) {
      if (k === 4) {
        consumers += '...';
        break;
      }
      consumers += paths[k] + ',';
    }
    consumers += ')';
    const name = i.path === '' ? limit.name : `${i.path}:${limit.name}`;
    const details = [
      `${owner}:${limit.name} is at ${limit.value} of ${limit.max}; this node needs ${i.tokens} token${i.tokens === 1 ? '' : 's'}`,
    ];
    if (paths.length > 4) details.push(`consumed by ${paths.join(', ')}`);
    out.push({ kind: 'limit', path: node.path, text: `limit ${name} is full${consumers}`, details });
  }
}

/** The explained trigger of a node (undefined without trigger), for a Triggers/Why panel. */
export function explainTrigger(defs: Defs, node: Node, which: 'trigger' | 'complete' = 'trigger'): ExplainNode | undefined {
  const e: Expression | undefined = which === 'trigger' ? node.trigger : node.complete;
  const ast = e === undefined ? undefined : expressionAst(e);
  return ast === undefined ? undefined : explain(ast, new ModelExpressionContext(defs, node.path));
}
