/**
 * Reference resolution for printing: the `extern` lines ecflow_client adds in front of `--get`
 * output (ecFlow's Defs::auto_add_externs), and the limit an inlimit refers to.
 *
 * Best effort: trigger/complete operands are found with a small tokenizer instead of ecFlow's full
 * expression grammar; node paths are resolved like ecFlow's Node::findReferencedNode (absolute,
 * sibling, `./`, `../`), attribute names are looked up among events, meters, variables, the repeat,
 * limits, queues and the usual generated variables.
 *
 * Pure module: no Node or DOM types.
 */

import type { InLimit, Limit } from './attributes.js';
import type { Defs } from './defs.js';
import type { Node } from './node.js';

const KEYWORDS = new Set([
  'and', 'or', 'not', 'AND', 'OR', 'NOT', 'eq', 'ne', 'lt', 'le', 'gt', 'ge',
  'unknown', 'complete', 'queued', 'aborted', 'submitted', 'active', 'suspended',
  'set', 'clear', 'true', 'false',
]);

/** Variables ecFlow generates on suites, families, tasks (never transmitted in NET text). */
const GENERATED = new Set([
  'SUITE', 'FAMILY', 'FAMILY1', 'TASK', 'ECF_DATE', 'YYYY', 'DOW', 'DOY', 'DATE', 'DAY', 'DD', 'MM', 'MONTH',
  'ECF_CLOCK', 'ECF_TIME', 'ECF_JULIAN', 'TIME', 'ECF_JOB', 'ECF_SCRIPT', 'ECF_JOBOUT', 'ECF_TRYNO', 'ECF_RID',
  'ECF_NAME', 'ECF_PASS', 'ECF_PORT', 'ECF_HOST', 'ECF_HOME',
]);

/** Operands (node paths, `path:name`, `:name`, `path<flag>name`) of an expression text. */
export function expressionOperands(text: string): string[] {
  const out: string[] = [];
  const re = /[A-Za-z0-9_./:<>]+/g;
  for (const m of text.matchAll(re)) {
    let t = m[0];
    if (t.startsWith('cal::')) continue;
    // '<' and '>' are comparison operators unless they form <flag>
    if (!t.includes('<flag>')) {
      const parts = t.split(/[<>]+/).filter((x) => x !== '');
      for (const p of parts) if (isOperand(p)) out.push(p);
      continue;
    }
    t = t.replace(/^[<>]+|[<>]+$/g, '');
    if (t !== '') out.push(t);
  }
  return out;
}

function isOperand(t: string): boolean {
  if (KEYWORDS.has(t)) return false;
  if (/^[0-9]+$/.test(t)) return false;
  if (/^[0-9]{8}T[0-9]{6}$/.test(t)) return false;
  return true;
}

/** Resolve a node path the way ecFlow resolves trigger references from `from`. */
export function resolveReference(defs: Defs | undefined, from: Node, path: string): Node | undefined {
  if (path.startsWith('/')) return defs?.findNode(path);
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0) return undefined;
  if (parts.length === 1) {
    if (from.name === parts[0]) return from;
    return from.parent?.findChild(parts[0]!);
  }
  if (parts[0] === '..') {
    let base: Node | undefined = from.parent;
    while (parts.length > 0 && parts[0] === '..') {
      parts.shift();
      base = base?.parent;
    }
    if (base === undefined) return defs?.findNode('/' + parts.join('/'));
    return down(base, parts);
  }
  if (parts[0] === '.') parts.shift();
  const viaParent = from.parent === undefined ? undefined : down(from.parent, parts);
  return viaParent ?? down(from, parts);
}

function down(base: Node, parts: string[]): Node | undefined {
  let n: Node | undefined = base;
  for (const p of parts) {
    if (n === undefined) return undefined;
    if (p === '.') continue;
    if (p === '..') n = n.parent;
    else n = n.findChild(p);
  }
  return n;
}

/** True when `name` is something a trigger can reference on `node` (ecFlow's findExprVariable). */
export function hasExprVariable(node: Node, name: string): boolean {
  if (node.findEvent(name) !== undefined) return true;
  if (node.findMeter(name) !== undefined) return true;
  if (node.findVariable(name) !== undefined) return true;
  const r = node.repeat;
  if (r !== undefined && (r.name === name || name.startsWith(r.name + '_'))) return true;
  if (GENERATED.has(name)) return true;
  if (node.findLimit(name) !== undefined) return true;
  return node.attrs?.queues?.some((q) => q.name === name) ?? false;
}

/** The limit an inlimit consumes, or undefined when it cannot be found. */
export function findLimitForInLimit(node: Node, inlimit: InLimit): Limit | undefined {
  if (inlimit.path === '') {
    for (let n: Node | undefined = node; n !== undefined; n = n.parent) {
      const l = n.findLimit(inlimit.name);
      if (l !== undefined) return l;
    }
    return undefined;
  }
  const target = resolveReference(node.suite?.defs, node, inlimit.path);
  return target?.findLimit(inlimit.name);
}

/**
 * The extern lines ecflow_client would add (sorted, without duplicates), merged with the externs
 * stored in the defs.
 *
 * @example autoExterns(defs) // ['/other/suite/task', '/x:ev']
 */
export function autoExterns(defs: Defs): string[] {
  const set = new Set<string>(defs.externs ?? []);
  defs.forEachNode((node) => {
    if (node.kind === 'alias') return false;
    const a = node.attrs;
    if (a === undefined) return;
    if (a.inlimits !== undefined) {
      for (const i of a.inlimits) {
        if (findLimitForInLimit(node, i) === undefined) set.add(i.path === '' ? i.name : `${i.path}:${i.name}`);
      }
    }
    for (const e of [a.complete, a.trigger]) {
      if (e === undefined) continue;
      for (const p of e.parts) {
        for (const op of expressionOperands(p.text)) addOperandExtern(defs, node, op, set);
      }
    }
    return;
  });
  return [...set].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

function addOperandExtern(defs: Defs, node: Node, op: string, set: Set<string>): void {
  const flag = op.indexOf('<flag>');
  if (flag >= 0) {
    const path = op.slice(0, flag);
    if (resolveReference(defs, node, path) === undefined) set.add(`${path}:${op.slice(flag + 6)}`);
    return;
  }
  const colon = op.indexOf(':');
  if (colon < 0) {
    if (resolveReference(defs, node, op) === undefined) set.add(op);
    return;
  }
  const path = op.slice(0, colon);
  const name = op.slice(colon + 1);
  if (path === '') {
    for (let n: Node | undefined = node; n !== undefined; n = n.parent) if (hasExprVariable(n, name)) return;
    if (defs.findServerVariable(name) !== undefined) return;
    set.add(`${node.path}:${name}`);
    return;
  }
  const target = resolveReference(defs, node, path);
  if (target === undefined || !hasExprVariable(target, name)) set.add(op);
}
