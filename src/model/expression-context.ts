/**
 * What an expression needs to know about the node tree, and ecFlow's rules for finding the nodes
 * an expression names (Node::findReferencedNode, libs/node NodeFind.cpp).
 *
 * `ExpressionContext` is deliberately small and path based so that it can be backed by the model
 * (expression-model.ts), by a test table, or by anything else.
 *
 * Pure module: no Node or DOM types.
 */

import type { ExprDState, ExprFlag } from './expression-ast.js';

/** ecFlow's attribute kinds, named as ecFlow names them in "why" texts. */
export type ExprAttributeType = 'event' | 'meter' | 'user-variable' | 'repeat' | 'gen-variable' | 'limit' | 'queue';

/** The value of `path:name` as an expression sees it. */
export interface ExprAttributeValue {
  readonly type: ExprAttributeType;
  /**
   * The integer an expression uses (Node::findExprVariableValue): event set → 1, meter value,
   * variable text as integer (0 when not an integer), repeat "last valid value" (see
   * `repeatExprValue`), limit value, queue index-or-value.
   */
  readonly value: number;
  /** Repeat date / date list: `+`/`-` with this attribute on the left step in days (Julian). */
  readonly dateArithmetic?: boolean;
  /**
   * The value ecflow_client prints in its evaluation tree when it differs from `value`
   * (a repeat's current value before clamping to its range).
   */
  readonly printValue?: number;
  /** The limit's definition text (`limit name max`), printed by the evaluation tree. */
  readonly limitText?: string;
  /** The queue name, printed by the evaluation tree. */
  readonly queueName?: string;
}

/**
 * Everything evaluation needs. Paths are absolute and normalised (`/s/f/t`, no empty parts).
 *
 * @example
 * const ctx: ExpressionContext = {
 *   nodePath: '/s/f/t2',
 *   hasNode: (p) => p === '/s/f/t1',
 *   nodeState: (p) => (p === '/s/f/t1' ? 'queued' : undefined),
 *   attribute: () => undefined,
 *   hasFlag: () => false,
 * };
 */
export interface ExpressionContext {
  /** Path of the node that owns the expression; relative paths are resolved from it. */
  readonly nodePath: string;
  /** True when a node exists at that path. */
  hasNode(path: string): boolean;
  /** ecFlow `dstate()`: `suspended` when the node is suspended, else its state; undefined if no node. */
  nodeState(path: string): ExprDState | undefined;
  /**
   * The event, meter, user variable, repeat, generated variable, limit or queue called `name` on
   * exactly that node, in that order of precedence (Node::findExprVariableValue). Events match by
   * name or number.
   */
  attribute(path: string, name: string): ExprAttributeValue | undefined;
  /** Whether a node has a flag; path `/` asks for the server's (defs) flags. */
  hasFlag(path: string, flag: ExprFlag): boolean;
}

/** Split a path into its names, dropping empty parts (`/a//b/` → `['a', 'b']`). */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split('/')) if (part !== '') out.push(part);
  return out;
}

function joinPath(parts: readonly string[]): string {
  return '/' + parts.join('/');
}

/**
 * Resolve a node path written in an expression, from the node `from`, with ecFlow's rules:
 * - `/a/b` absolute;
 * - `name`: the node itself when `name` is its own name, else a sibling (nothing from a suite);
 * - `a/b` is `./a/b`; `./a/b`: below the parent, then below the node itself; `./a`: as `a`;
 * - `../x`: each `..` goes up one level above the node's parent; above the suites the rest is
 *   taken as an absolute path.
 *
 * `exists` tells whether a node exists. Returns the absolute path, or undefined when not found.
 *
 * @example resolveExprPath('/s/f/t2', '../g/t', (p) => p === '/s/g/t') // '/s/g/t'
 */
export function resolveExprPath(from: string, ref: string, exists: (path: string) => boolean): string | undefined {
  if (ref.startsWith('/')) {
    const p = splitPath(ref);
    if (p.length === 0) return undefined;
    const abs = joinPath(p);
    return exists(abs) ? abs : undefined;
  }
  let parts = splitPath(ref);
  if (parts.length === 0) return undefined;
  const self = splitPath(from);
  const parent = self.slice(0, -1);
  const relative = (rest: string[]): string | undefined => {
    if (rest.length === 1 && rest[0] === self[self.length - 1]) return joinPath(self);
    if (parent.length === 0) return undefined;
    const sibling = joinPath([...parent, ...rest]);
    if (exists(sibling)) return sibling;
    if (rest.length > 1) {
      const below = joinPath([...self, ...rest]);
      if (exists(below)) return below;
    }
    return undefined;
  };
  if (parts.length === 1) return relative(parts);
  if (parts[0] !== '.' && parts[0] !== '..') parts = ['.', ...parts];
  if (parts[0] === '.') return relative(parts.slice(1));
  // '..' paths: start at the parent, go up once per '..'.
  let base: string[] | undefined = parent.length > 0 ? parent : undefined;
  while (parts.length > 0 && base !== undefined && parts[0] === '..') {
    parts = parts.slice(1);
    base = base.length > 1 ? base.slice(0, -1) : undefined;
  }
  if (parts.length === 0) return undefined;
  const abs = joinPath(base === undefined ? parts : [...base, ...parts]);
  return exists(abs) ? abs : undefined;
}

/**
 * The path a reference would have if it existed, without looking at the tree (first choice of
 * `resolveExprPath`). Used for references to nodes that are not (yet) loaded.
 *
 * @example guessExprPath('/s/f/t2', 't1') // '/s/f/t1'
 */
export function guessExprPath(from: string, ref: string): string {
  const guess = resolveExprPath(from, ref, () => true);
  return guess ?? (ref.startsWith('/') ? joinPath(splitPath(ref)) : ref);
}

/** Convert text to an integer the way ecFlow does (Str::to_int): whole-string integer, else 0. */
export function exprIntegerOf(text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) return 0;
  const v = Number(text);
  return v > 2147483647 || v < -2147483648 ? 0 : v;
}

/** ecFlow Cal::date_to_julian (yyyymmdd → Julian day number). */
export function dateToJulian(yyyymmdd: number): number {
  const year = Math.trunc(yyyymmdd / 10000);
  let rest = yyyymmdd % 10000;
  const month = Math.trunc(rest / 100);
  rest %= 100;
  const day = rest;
  let m1: number;
  let y1: number;
  if (month > 2) {
    m1 = month - 3;
    y1 = year;
  } else {
    m1 = month + 9;
    y1 = year - 1;
  }
  const a = Math.trunc((146097 * Math.trunc(y1 / 100)) / 4);
  const d = y1 % 100;
  const b = Math.trunc((1461 * d) / 4);
  const c = Math.trunc((153 * m1 + 2) / 5) + day + 1721119;
  return a + b + c;
}

/** ecFlow Cal::julian_to_date (Julian day number → yyyymmdd). */
export function julianToDate(jdate: number): number {
  let x = 4 * jdate - 6884477;
  let y = Math.trunc(x / 146097) * 100;
  let e = x % 146097;
  let d = Math.trunc(e / 4);
  x = 4 * d + 3;
  y = Math.trunc(x / 1461) + y;
  e = x % 1461;
  d = Math.trunc(e / 4) + 1;
  x = 5 * d - 3;
  const m = Math.trunc(x / 153) + 1;
  e = x % 153;
  d = Math.trunc(e / 5) + 1;
  const month = m < 11 ? m + 2 : m - 10;
  const year = y + Math.trunc(m / 11);
  return year * 10000 + month * 100 + d;
}
