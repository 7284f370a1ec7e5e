/**
 * Explanation of an expression for the UI (each sub-expression with its result, the resolved
 * references, plain words for the parts that hold a node), and the nodes an expression refers to
 * (for the Triggers panel).
 *
 * Pure module: no Node or DOM types.
 */

import { exprChildren, type ExprAst, type ExprDState, walkExpr } from './expression-ast.js';
import { guessExprPath, resolveExprPath, type ExpressionContext } from './expression-context.js';
import {
  evaluate,
  lookupAttribute,
  lookupFlag,
  lookupNode,
  lookupParentAttribute,
  valueOf,
  withNodePath,
} from './expression-eval.js';
import { expressionText, treeLabel } from './expression-text.js';

/** One node of an explained expression. */
export interface ExplainNode {
  readonly kind: ExprAst['kind'];
  /** The sub-expression, regenerated (see `expressionText`). */
  readonly text: string;
  /** ecflow_client's evaluation-tree line for this node, e.g. `EQUAL (false)`, `NODE t1 queued(2)`. */
  readonly label: string;
  /** Truth for logical nodes and comparisons, the integer for values. */
  readonly result: boolean | number;
  /** Logical node or comparison that is false and makes its parent false (i.e. holds the node). */
  readonly holding: boolean;
  /** Absolute path a reference resolved to. */
  readonly path?: string;
  /** For references: whether the node (and attribute) was found. */
  readonly found?: boolean;
  /** Current state of a referenced node. */
  readonly state?: ExprDState;
  /** Plain words for a false comparison or value, e.g. `/s/f/t1 is queued, expected complete`. */
  readonly detail?: string;
  readonly children: readonly ExplainNode[];
  /** Offsets in the parsed text. */
  readonly start: number;
  readonly end: number;
}

function isLogical(ast: ExprAst): boolean {
  return ast.kind === 'and' || ast.kind === 'or' || ast.kind === 'not' || ast.kind === 'compare';
}

/** Where a value comes from, in words: a resolved `path:name`, a flag, or the sub-expression. */
function describeSource(ast: ExprAst, ctx: ExpressionContext): string {
  switch (ast.kind) {
    case 'attribute': {
      const { node } = lookupAttribute(ast, ctx);
      return node === undefined ? `${ast.path}:${ast.name} (node not found)` : `${node}:${ast.name}`;
    }
    case 'parent-attribute': {
      const { node } = lookupParentAttribute(ast, ctx);
      return node === undefined ? `:${ast.name} (not found)` : `${node}:${ast.name}`;
    }
    case 'flag': {
      const { node } = lookupFlag(ast, ctx);
      return `${node ?? ast.path}<flag>${ast.flag}`;
    }
    default:
      return expressionText(ast);
  }
}

const CMP_WORDS: Readonly<Record<string, string>> = {
  '==': '',
  '!=': 'not ',
  '<': '< ',
  '<=': '<= ',
  '>': '> ',
  '>=': '>= ',
};

/** Plain words for a part that is false. */
function detailOf(ast: ExprAst, ctx: ExpressionContext): string | undefined {
  switch (ast.kind) {
    case 'compare': {
      const { left, right } = ast;
      if (left.kind === 'node' && right.kind === 'node-state') {
        const { node, state } = lookupNode(left, ctx);
        const who = node ?? `${left.path} (not found)`;
        return `${who} is ${state}, expected ${CMP_WORDS[ast.op]}${right.state}`;
      }
      if (left.kind === 'attribute' && right.kind === 'event-state') {
        const { attr } = lookupAttribute(left, ctx);
        const now = attr === undefined ? 'not found' : attr.value !== 0 ? 'set' : 'clear';
        return `${describeSource(left, ctx)} is ${now}, expected ${CMP_WORDS[ast.op]}${right.set ? 'set' : 'clear'}`;
      }
      const rv = valueOf(right, ctx);
      const rightText = right.kind === 'integer' ? String(rv) : `${describeSource(right, ctx)} (${rv})`;
      return `${describeSource(left, ctx)} is ${valueOf(left, ctx)}, expected ${ast.op} ${rightText}`;
    }
    case 'not':
      return `${expressionText(ast.operand)} is true, expected false`;
    case 'attribute':
    case 'parent-attribute': {
      const { attr } = ast.kind === 'attribute' ? lookupAttribute(ast, ctx) : lookupParentAttribute(ast, ctx);
      if (attr === undefined) return `${describeSource(ast, ctx)}: no such event, meter, variable, repeat or limit (0)`;
      if (attr.type === 'event') return `${describeSource(ast, ctx)} is clear, expected set`;
      return `${describeSource(ast, ctx)} is 0 (${attr.type})`;
    }
    case 'flag':
      return `${describeSource(ast, ctx)} is not set`;
    case 'integer':
    case 'function':
      return `${describeSource(ast, ctx)} is 0`;
    case 'unparsed':
      return `cannot parse '${ast.text}': ${ast.error}`;
    default:
      return undefined;
  }
}

/**
 * Explain an expression: each sub-expression with its result, the ecFlow evaluation-tree label,
 * the resolved references, and for false parts that hold the node, plain words.
 *
 * @example
 * const e = explain(parseExpression('t1 == complete and t2 == complete'), ctx);
 * e.result // false
 * failingDetails(e) // ['/s/f/t1 is queued, expected complete']
 */
export function explain(ast: ExprAst, ctx: ExpressionContext): ExplainNode {
  return explainNode(ast, ctx, true);
}

function explainNode(ast: ExprAst, ctx: ExpressionContext, holdingCandidate: boolean): ExplainNode {
  const result: boolean | number = isLogical(ast) || ast.kind === 'unparsed' ? evaluate(ast, ctx) : valueOf(ast, ctx);
  // A part holds the node when it is false (ecFlow's evaluate()) and its parent is a false and/or.
  const holding = holdingCandidate && !evaluate(ast, ctx);
  const childCandidate = holding && (ast.kind === 'and' || ast.kind === 'or');
  const kids = ast.kind === 'function' ? [ast.arg] : exprChildren(ast);
  const children = kids.map((c) => explainNode(c, ctx, childCandidate));
  const extra: { path?: string; found?: boolean; state?: ExprDState } = {};
  if (ast.kind === 'node') {
    const { node, state } = lookupNode(ast, ctx);
    extra.path = node ?? guessExprPath(ctx.nodePath, ast.path);
    extra.found = node !== undefined;
    extra.state = state;
  } else if (ast.kind === 'attribute') {
    const { node, attr } = lookupAttribute(ast, ctx);
    extra.path = node ?? guessExprPath(ctx.nodePath, ast.path);
    extra.found = attr !== undefined;
  } else if (ast.kind === 'parent-attribute') {
    const { node, attr } = lookupParentAttribute(ast, ctx);
    if (node !== undefined) extra.path = node;
    extra.found = attr !== undefined;
  } else if (ast.kind === 'flag') {
    const { node } = lookupFlag(ast, ctx);
    extra.path = node ?? (ast.path === '/' ? '/' : guessExprPath(ctx.nodePath, ast.path));
    extra.found = node !== undefined || ast.path === '/';
  }
  const detail = holding ? detailOf(ast, ctx) : undefined;
  return {
    kind: ast.kind,
    text: expressionText(ast),
    label: treeLabel(ast, ctx),
    result,
    holding,
    ...extra,
    ...(detail === undefined ? {} : { detail }),
    children,
    start: ast.start,
    end: ast.end,
  };
}

/**
 * The plain-word reasons of the parts that make an explained expression false (empty when it
 * holds), e.g. `['/s/f/t1 is queued, expected complete']`.
 */
export function failingDetails(node: ExplainNode): string[] {
  const out: string[] = [];
  const visit = (n: ExplainNode): void => {
    if (!n.holding) return;
    if ((n.kind === 'and' || n.kind === 'or') && n.children.some((c) => c.holding)) {
      for (const c of n.children) visit(c);
      return;
    }
    if (n.detail !== undefined) out.push(n.detail);
  };
  visit(node);
  return out;
}

// ---- references -------------------------------------------------------------------------------

/** A node named by an expression. */
export interface ExprReference {
  /** Absolute path (resolved when a context was given and the node exists, else the likely path). */
  readonly path: string;
  /** Whether the node was found (always false without a context). */
  readonly found: boolean;
  /** How it is referenced. */
  readonly kind: 'node' | 'attribute' | 'flag';
  /** Attribute name or flag, for `attribute`/`flag` references. */
  readonly name?: string;
}

/**
 * All node references of an expression, in order of appearance (duplicates kept; see
 * `referencedNodes` for the distinct paths). With a context, paths are resolved exactly as ecFlow
 * does and `:name` references are included; without one, the likely path is computed from
 * `fromPath` alone.
 */
export function expressionReferences(ast: ExprAst, fromPath: string, ctx?: ExpressionContext): ExprReference[] {
  const out: ExprReference[] = [];
  const resolve = (path: string): { path: string; found: boolean } => {
    if (ctx !== undefined) {
      const found = resolveExprPath(fromPath, path, (p) => ctx.hasNode(p));
      if (found !== undefined) return { path: found, found: true };
    }
    return { path: guessExprPath(fromPath, path), found: false };
  };
  walkExpr(ast, (node) => {
    if (node.kind === 'node') out.push({ ...resolve(node.path), kind: 'node' });
    else if (node.kind === 'attribute') out.push({ ...resolve(node.path), kind: 'attribute', name: node.name });
    else if (node.kind === 'flag' && node.path !== '/') out.push({ ...resolve(node.path), kind: 'flag', name: node.flag });
    else if (node.kind === 'parent-attribute' && ctx !== undefined) {
      const { node: where } = lookupParentAttribute(node, withNodePath(ctx, fromPath));
      if (where !== undefined) out.push({ path: where, found: true, kind: 'attribute', name: node.name });
    }
  });
  return out;
}

/**
 * The distinct absolute paths of the nodes an expression depends on (for the Triggers panel:
 * "triggers of" this node / "triggered by" those).
 *
 * @example referencedNodes(parseExpression('t1 == complete or ../g/t:ev'), '/s/f/t2') // ['/s/f/t1', '/s/g/t']
 */
export function referencedNodes(ast: ExprAst, fromPath: string, ctx?: ExpressionContext): string[] {
  return [...new Set(expressionReferences(ast, fromPath, ctx).map((r) => r.path))];
}
