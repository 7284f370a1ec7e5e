/**
 * Evaluation of trigger/complete expressions with ecFlow's semantics (libs/node ExprAst.hpp/.cpp):
 *
 * - `path == state` compares ecFlow DState numbers (unknown 0 … active 5, suspended 6); a node
 *   that cannot be found counts as `unknown`, so `x == unknown` is true for a missing `x`.
 * - `path:name` is an event (set 1 / clear 0), meter, variable (integer or 0), repeat (see
 *   `repeatExprValue`), generated variable, limit or queue, in that order; not found → 0.
 * - `:name` looks on the node itself, then up its ancestors.
 * - Arithmetic is 32-bit integer, left to right; `/` and `%` by zero give 0. `+`/`-` with a repeat
 *   date on the left step in days.
 * - A value on its own (`t:ev`, `1`) is true when not 0; an arithmetic expression on its own is
 *   always true (ecFlow's AstPlus::evaluate etc.).
 *
 * The texts ecFlow prints are in expression-text.ts, the explanation for the UI and the references
 * in expression-explain.ts.
 *
 * Pure module: no Node or DOM types.
 */

import { EXPR_DSTATE_VALUES, type ExprAst, type ExprDState } from './expression-ast.js';
import {
  dateToJulian,
  julianToDate,
  resolveExprPath,
  type ExprAttributeValue,
  type ExpressionContext,
} from './expression-context.js';

const DSTATE_NAMES: readonly ExprDState[] = ['unknown', 'complete', 'queued', 'aborted', 'submitted', 'active', 'suspended'];

/** Resolve a path written in the expression; undefined when there is no such node. */
export function resolveRef(ctx: ExpressionContext, path: string): string | undefined {
  return resolveExprPath(ctx.nodePath, path, (p) => ctx.hasNode(p));
}

export interface AttrLookup {
  /** Node the attribute is looked up on (undefined when the path does not resolve). */
  readonly node: string | undefined;
  readonly attr: ExprAttributeValue | undefined;
}

export function lookupAttribute(ast: ExprAst & { kind: 'attribute' }, ctx: ExpressionContext): AttrLookup {
  const node = resolveRef(ctx, ast.path);
  return { node, attr: node === undefined ? undefined : ctx.attribute(node, ast.name) };
}

export function lookupParentAttribute(ast: ExprAst & { kind: 'parent-attribute' }, ctx: ExpressionContext): AttrLookup {
  let path = ctx.nodePath;
  for (;;) {
    if (ctx.hasNode(path)) {
      const attr = ctx.attribute(path, ast.name);
      if (attr !== undefined) return { node: path, attr };
    }
    const cut = path.lastIndexOf('/');
    if (cut <= 0) return { node: undefined, attr: undefined };
    path = path.slice(0, cut);
  }
}

export function lookupFlag(ast: ExprAst & { kind: 'flag' }, ctx: ExpressionContext): { node: string | undefined; set: boolean } {
  if (ast.path === '/') return { node: undefined, set: ctx.hasFlag('/', ast.flag) };
  const node = resolveRef(ctx, ast.path);
  return { node, set: node !== undefined && ctx.hasFlag(node, ast.flag) };
}

export function lookupNode(ast: ExprAst & { kind: 'node' }, ctx: ExpressionContext): { node: string | undefined; state: ExprDState } {
  const node = resolveRef(ctx, ast.path);
  const state = node === undefined ? undefined : ctx.nodeState(node);
  return { node: state === undefined ? undefined : node, state: state ?? 'unknown' };
}

function digits(n: number): number {
  let count = n < 0 ? 1 : 0;
  let v = Math.trunc(n);
  while (v !== 0) {
    v = Math.trunc(v / 10);
    count++;
  }
  return count;
}

/** `left + right` / `left - right`, with the repeat-date rule of AstVariable::plus/minus. */
function plusMinus(ast: ExprAst & { kind: 'arith' }, ctx: ExpressionContext): number {
  const sign = ast.op === '+' ? 1 : -1;
  const left = ast.left;
  if (left.kind === 'attribute' || left.kind === 'parent-attribute') {
    const r = valueOf(ast.right, ctx);
    const found = left.kind === 'attribute' ? lookupAttribute(left, ctx) : lookupParentAttribute(left, ctx);
    if (found.attr === undefined) return (sign * r) | 0;
    if (found.attr.dateArithmetic === true) {
      if (found.attr.value === 0) return 0;
      return julianToDate(dateToJulian(found.attr.value) + sign * r) | 0;
    }
    return (found.attr.value + sign * r) | 0;
  }
  return (valueOf(left, ctx) + sign * valueOf(ast.right, ctx)) | 0;
}

/**
 * The integer value of a sub-expression (ecFlow `Ast::value()`).
 *
 * @example valueOf(parseExpression('2 * 3 + 1'), ctx) // 7
 */
export function valueOf(ast: ExprAst, ctx: ExpressionContext): number {
  switch (ast.kind) {
    case 'integer':
    case 'instant':
      return ast.value;
    case 'node-state':
      return EXPR_DSTATE_VALUES[ast.state];
    case 'event-state':
      return ast.set ? 1 : 0;
    case 'node':
      return EXPR_DSTATE_VALUES[lookupNode(ast, ctx).state];
    case 'attribute':
      return lookupAttribute(ast, ctx).attr?.value ?? 0;
    case 'parent-attribute':
      return lookupParentAttribute(ast, ctx).attr?.value ?? 0;
    case 'flag':
      return lookupFlag(ast, ctx).set ? 1 : 0;
    case 'function': {
      let arg = valueOf(ast.arg, ctx);
      if (ast.fn === 'julian_to_date') return julianToDate(arg) | 0;
      const n = digits(arg);
      if (n === 10) arg = Math.trunc(arg / 100);
      else if (n !== 8) return 0;
      return dateToJulian(arg) | 0;
    }
    case 'not':
      return valueOf(ast.operand, ctx) === 0 ? 1 : 0;
    case 'arith': {
      if (ast.op === '+' || ast.op === '-') return plusMinus(ast, ctx);
      const l = valueOf(ast.left, ctx);
      const r = valueOf(ast.right, ctx);
      if (ast.op === '*') return Math.imul(l, r);
      if (r === 0) return 0;
      return ast.op === '/' ? Math.trunc(l / r) | 0 : l % r | 0;
    }
    case 'and':
    case 'or':
    case 'compare':
      return evaluate(ast, ctx) ? 1 : 0;
    case 'unparsed':
      return 0;
  }
}

/**
 * Whether the expression holds (ecFlow `Ast::evaluate()`): a trigger is satisfied, a complete
 * expression completes its node.
 *
 * @example evaluate(parseExpression('t1 == complete'), ctx) // true when ../t1 is complete
 */
export function evaluate(ast: ExprAst, ctx: ExpressionContext): boolean {
  switch (ast.kind) {
    case 'and':
      return evaluate(ast.left, ctx) && evaluate(ast.right, ctx);
    case 'or':
      return evaluate(ast.left, ctx) || evaluate(ast.right, ctx);
    case 'not':
      return !evaluate(ast.operand, ctx);
    case 'compare': {
      const l = valueOf(ast.left, ctx);
      const r = valueOf(ast.right, ctx);
      switch (ast.op) {
        case '==':
          return l === r;
        case '!=':
          return l !== r;
        case '<':
          return l < r;
        case '<=':
          return l <= r;
        case '>':
          return l > r;
        case '>=':
          return l >= r;
      }
      return false;
    }
    case 'arith':
      return true;
    case 'integer':
    case 'instant':
    case 'attribute':
    case 'parent-attribute':
    case 'flag':
    case 'function':
      return valueOf(ast, ctx) !== 0;
    case 'node':
    case 'node-state':
    case 'event-state':
    case 'unparsed':
      return false;
  }
}

/** The same context, for expressions owned by another node. */
export function withNodePath(ctx: ExpressionContext, nodePath: string): ExpressionContext {
  if (ctx.nodePath === nodePath) return ctx;
  return {
    nodePath,
    hasNode: (p) => ctx.hasNode(p),
    nodeState: (p) => ctx.nodeState(p),
    attribute: (p, name) => ctx.attribute(p, name),
    hasFlag: (p, flag) => ctx.hasFlag(p, flag),
  };
}

/** Name of a DState number (for messages). */
export function dstateName(value: number): ExprDState | undefined {
  return DSTATE_NAMES[value];
}
