/**
 * Expressions over the node model: an `ExpressionContext` backed by `Defs`, ecFlow's value rules
 * for repeats, queues and generated variables, and the parsed trigger/complete of a node.
 *
 * Generated variables are not in the NET text (ecflow-protocol.md §10.4); the ones with integer
 * values are computed here like ecFlow does (suite calendar: YYYY, MM, DD, DOW, DOY, ECF_DATE,
 * ECF_JULIAN, TIME; task: ECF_TRYNO, ECF_RID; repeat date: NAME_YYYY, _MM, _DD, _DOW, _JULIAN).
 *
 * Pure module: no Node or DOM types.
 */

import type { Expression, QueueAttr } from './attributes.js';
import { ExpressionJoin } from './attributes.js';
import type { Defs } from './defs.js';
import type { ExprAst, ExprDState, ExprFlag } from './expression-ast.js';
import { dateToJulian, exprIntegerOf, type ExprAttributeValue, type ExpressionContext } from './expression-context.js';
import { expressionReferences } from './expression-explain.js';
import { combineExpressionParts } from './expression-parser.js';
import { Submittable, Suite, type Node } from './node.js';
import type { Repeat } from './repeat.js';
import { Flag, NSTATE_NAMES } from './types.js';

const FLAG_BITS: Readonly<Record<ExprFlag, number>> = { late: Flag.LATE, zombie: Flag.ZOMBIE, archived: Flag.ARCHIVED };

/** `boost::lexical_cast<int>`: the whole text must be an integer. */
function castInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^[+-]?[0-9]+$/.test(text)) return undefined;
  const v = Number(text);
  return v > 2147483647 || v < -2147483648 ? undefined : v;
}

function clampRange(r: Repeat): number {
  if (r.step > 0) return r.value < r.start ? r.start : r.value > r.end ? r.end : r.value;
  return r.value > r.start ? r.start : r.value < r.end ? r.end : r.value;
}

/**
 * The value of a repeat in an expression (ecFlow `Repeat::last_valid_value()`):
 * date/integer → the current value kept within start…end; enumerated → the current item when it
 * is an integer, else its index; string → the index; datelist → the current date; day → the step.
 * `printValue` is `Repeat::value()` (not clamped), as printed in the evaluation tree.
 *
 * @example repeatExprValue(new Repeat('string', 'S', 0, 0, 1, 2, ['a', 'b', 'c'], undefined)).value // 2
 */
export function repeatExprValue(r: Repeat): { value: number; printValue: number; dateArithmetic: boolean } {
  switch (r.kind) {
    case 'date':
    case 'integer':
    case 'datetime':
      return { value: clampRange(r), printValue: r.value, dateArithmetic: r.kind === 'date' };
    case 'enumerated': {
      const items = r.strings ?? [];
      const idx = r.value;
      const inRange = idx >= 0 && idx < items.length;
      const printValue = inRange ? (castInt(items[idx]) ?? idx) : idx;
      if (items.length === 0) return { value: 0, printValue, dateArithmetic: false };
      if (idx < 0) return { value: castInt(items[0]) ?? 0, printValue, dateArithmetic: false };
      if (idx >= items.length) return { value: castInt(items[items.length - 1]) ?? items.length - 1, printValue, dateArithmetic: false };
      return { value: printValue, printValue, dateArithmetic: false };
    }
    case 'string': {
      const n = (r.strings ?? []).length;
      const value = n === 0 || r.value < 0 ? 0 : r.value >= n ? n - 1 : r.value;
      return { value, printValue: r.value, dateArithmetic: false };
    }
    case 'datelist':
    case 'datetimelist': {
      const list = r.numbers ?? [];
      const idx = r.value;
      const value = list.length === 0 ? 0 : idx < 0 ? list[0]! : idx >= list.length ? list[list.length - 1]! : list[idx]!;
      const printValue = idx >= 0 && idx < list.length ? list[idx]! : 0;
      return { value, printValue, dateArithmetic: r.kind === 'datelist' };
    }
    case 'day':
      return { value: r.step, printValue: r.step, dateArithmetic: false };
  }
}

/** ecFlow QueueAttr::index_or_value: the current item when it is an integer, else the index. */
export function queueExprValue(q: QueueAttr): number {
  if (q.index >= 0 && q.index < q.items.length) return castInt(q.items[q.index]) ?? q.index;
  return q.index;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A boost ptime text (`2026-Nov-26 09:01:40`) as calendar fields, or undefined. */
export function parsePtime(
  text: string,
): { year: number; month: number; day: number; hour: number; minute: number; second: number } | undefined {
  const m = /^(\d{4})-([A-Za-z]{3})-(\d{2})(?:\s+(\d{2}):(\d{2}):(\d{2}))?/.exec(text.trim());
  if (m === null) return undefined;
  const month = MONTHS.indexOf(m[2]!) + 1;
  if (month === 0) return undefined;
  return {
    year: Number(m[1]),
    month,
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
  };
}

function dayOfYear(y: number, m: number, d: number): number {
  return Math.round((Date.UTC(y, m - 1, d) - Date.UTC(y, 0, 1)) / 86400000) + 1;
}

/** Integer value of a generated variable of `node` (ecFlow findGenVariable + Str::to_int), if any. */
export function generatedVariableValue(node: Node, name: string): number | undefined {
  switch (node.kind) {
    case 'task':
    case 'alias': {
      const sub = node instanceof Submittable ? node : undefined;
      switch (name) {
        case 'TASK':
          return exprIntegerOf(node.name);
        case 'ECF_TRYNO':
          return sub?.tryNo ?? 0;
        case 'ECF_RID':
          return exprIntegerOf(sub?.rid ?? '');
        case 'ECF_NAME':
        case 'ECF_PASS':
        case 'ECF_JOB':
        case 'ECF_SCRIPT':
        case 'ECF_JOBOUT':
          return 0;
      }
      break;
    }
    case 'family':
      if (name === 'FAMILY1') return exprIntegerOf(node.name);
      if (name === 'FAMILY') return exprIntegerOf(node.path.split('/').slice(2).join('/'));
      break;
    case 'suite': {
      if (name === 'SUITE') return exprIntegerOf(node.name);
      const calendarVars = ['ECF_DATE', 'YYYY', 'DOW', 'DOY', 'DATE', 'DAY', 'DD', 'MM', 'MONTH', 'ECF_CLOCK', 'ECF_TIME', 'ECF_JULIAN', 'TIME'];
      if (!calendarVars.includes(name)) break;
      const calendar = node instanceof Suite ? node.calendar : undefined;
      const t = calendar === undefined ? undefined : parsePtime(calendar.suiteTime);
      if (t === undefined) return 0;
      const dow = new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay();
      switch (name) {
        case 'ECF_DATE':
          return t.year * 10000 + t.month * 100 + t.day;
        case 'YYYY':
          return t.year;
        case 'DOW':
          return dow;
        case 'DOY':
          return dayOfYear(t.year, t.month, t.day);
        case 'DD':
          return t.day;
        case 'MM':
          return t.month;
        case 'ECF_JULIAN':
          return dateToJulian(t.year * 10000 + t.month * 100 + t.day);
        case 'TIME':
          return t.hour * 100 + t.minute;
        default:
          return 0; // DATE, DAY, MONTH, ECF_CLOCK, ECF_TIME are not integers
      }
    }
  }
  const r = node.repeat;
  if (r !== undefined && (r.kind === 'date' || r.kind === 'datelist') && name.startsWith(r.name + '_')) {
    const v = repeatExprValue(r).value;
    const y = Math.trunc(v / 10000);
    const m = Math.trunc((v % 10000) / 100);
    const d = v % 100;
    switch (name.slice(r.name.length + 1)) {
      case 'YYYY':
        return y;
      case 'MM':
        return m;
      case 'DD':
        return d;
      case 'DOW':
        return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
      case 'JULIAN':
        return dateToJulian(v);
    }
  }
  return undefined;
}

/**
 * `path:name` on one node, in ecFlow's order: event (name or number), meter, user variable,
 * repeat, generated variable, limit, queue.
 */
export function nodeAttributeValue(node: Node, name: string): ExprAttributeValue | undefined {
  const event = node.findEvent(name);
  if (event !== undefined) return { type: 'event', value: event.value ? 1 : 0 };
  const meter = node.findMeter(name);
  if (meter !== undefined) return { type: 'meter', value: meter.value };
  const variable = node.findVariable(name);
  if (variable !== undefined) return { type: 'user-variable', value: exprIntegerOf(variable.value) };
  const repeat = node.repeat;
  if (repeat !== undefined && repeat.name === name) {
    const v = repeatExprValue(repeat);
    return { type: 'repeat', value: v.value, printValue: v.printValue, dateArithmetic: v.dateArithmetic };
  }
  const gen = generatedVariableValue(node, name);
  if (gen !== undefined) return { type: 'gen-variable', value: gen };
  const limit = node.findLimit(name);
  if (limit !== undefined) return { type: 'limit', value: limit.value, limitText: `limit ${limit.name} ${limit.max}` };
  const queue = node.attrs?.queues?.find((q) => q.name === name);
  if (queue !== undefined) return { type: 'queue', value: queueExprValue(queue), queueName: queue.name };
  return undefined;
}

/** ecFlow dstate of a node: `suspended` wins over the state. */
export function nodeDState(node: Node): ExprDState {
  return node.suspended ? 'suspended' : (NSTATE_NAMES[node.state] ?? 'unknown');
}

/**
 * An `ExpressionContext` over a `Defs`, for expressions owned by the node at `nodePath`.
 *
 * @example
 * const ctx = new ModelExpressionContext(defs, '/s/f/t2');
 * evaluate(parseExpression('t1 == complete'), ctx);
 */
export class ModelExpressionContext implements ExpressionContext {
  constructor(
    readonly defs: Defs,
    readonly nodePath: string,
  ) {}
  hasNode(path: string): boolean {
    return this.defs.findNode(path) !== undefined;
  }
  nodeState(path: string): ExprDState | undefined {
    const node = this.defs.findNode(path);
    return node === undefined ? undefined : nodeDState(node);
  }
  attribute(path: string, name: string): ExprAttributeValue | undefined {
    const node = this.defs.findNode(path);
    return node === undefined ? undefined : nodeAttributeValue(node, name);
  }
  hasFlag(path: string, flag: ExprFlag): boolean {
    const bits = path === '/' ? this.defs.flags : (this.defs.findNode(path)?.flags ?? 0);
    return (bits & (1 << FLAG_BITS[flag])) !== 0;
  }
}

/** The context for the expressions of `node` (its defs found through its suite, or given). */
export function expressionContextFor(node: Node, defs?: Defs): ExpressionContext {
  const d = defs ?? node.suite?.defs;
  if (d === undefined) {
    // A detached node: only the node itself can be found.
    const path = node.path;
    return {
      nodePath: path,
      hasNode: (p) => p === path,
      nodeState: (p) => (p === path ? nodeDState(node) : undefined),
      attribute: (p, name) => (p === path ? nodeAttributeValue(node, name) : undefined),
      hasFlag: (p, flag) => p === path && (node.flags & (1 << FLAG_BITS[flag])) !== 0,
    };
  }
  return new ModelExpressionContext(d, node.path);
}

/** Parsed expressions, keyed by text (most triggers of a large suite are identical). */
const cache = new Map<string, ExprAst>();
const CACHE_LIMIT = 20000;

/**
 * The tree of a trigger or complete `Expression` (all its `-a`/`-o` parts combined like ecFlow).
 * Never throws: a part that does not parse is an `unparsed` node. Cached by text.
 *
 * @example const ast = expressionAst(node.trigger!);
 */
export function expressionAst(expression: Expression): ExprAst | undefined {
  const key = expression.parts.map((p) => `${p.join}\u0000${p.text}`).join('\u0001');
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const ast = combineExpressionParts(
    expression.parts.map((p) => ({
      join: p.join === ExpressionJoin.AND ? 'and' : p.join === ExpressionJoin.OR ? 'or' : 'first',
      text: p.text,
    })),
  );
  if (ast !== undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, ast);
  }
  return ast;
}

/** A dependency between two nodes through a trigger or complete expression. */
export interface ExprDependency {
  /** Node whose expression it is. */
  readonly node: string;
  /** `trigger` or `complete`. */
  readonly expression: 'trigger' | 'complete';
  /** The node it refers to (absolute; exists when `found`). */
  readonly target: string;
  readonly found: boolean;
}

function dependenciesOf(defs: Defs, node: Node, out: ExprDependency[]): void {
  const ctx = new ModelExpressionContext(defs, node.path);
  for (const which of ['trigger', 'complete'] as const) {
    const e = which === 'trigger' ? node.trigger : node.complete;
    const ast = e === undefined ? undefined : expressionAst(e);
    if (ast === undefined) continue;
    const seen = new Set<string>();
    for (const r of expressionReferences(ast, node.path, ctx)) {
      if (seen.has(r.path)) continue;
      seen.add(r.path);
      out.push({ node: node.path, expression: which, target: r.path, found: r.found });
    }
  }
}

/**
 * What a node's trigger and complete expressions refer to (the Triggers panel's "triggers of").
 *
 * @example expressionDependencies(defs, defs.findNode('/s/f/t2')!) // [{ node: '/s/f/t2', expression: 'trigger', target: '/s/f/t1', found: true }]
 */
export function expressionDependencies(defs: Defs, node: Node): ExprDependency[] {
  const out: ExprDependency[] = [];
  dependenciesOf(defs, node, out);
  return out;
}

/**
 * The expressions that refer to `path` or, with `{ below: true }`, to a node under it (the
 * Triggers panel's "triggered by"). Scans the whole tree; parsing is cached by text.
 *
 * @example expressionDependents(defs, '/s/f/t1') // [{ node: '/s/f/t2', expression: 'trigger', target: '/s/f/t1', found: true }]
 */
export function expressionDependents(defs: Defs, path: string, options: { below?: boolean } = {}): ExprDependency[] {
  const out: ExprDependency[] = [];
  const all: ExprDependency[] = [];
  defs.forEachNode((n) => {
    if (n.trigger === undefined && n.complete === undefined) return;
    all.length = 0;
    dependenciesOf(defs, n, all);
    for (const d of all) if (d.target === path || (options.below === true && d.target.startsWith(path + '/'))) out.push(d);
  });
  return out;
}
