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
 * Also here: the texts ecFlow prints (the "why" expression and the `# Trigger Evaluation Tree`),
 * the explanation tree for the UI, and the references of an expression.
 *
 * Pure module: no Node or DOM types.
 */

import { EXPR_DSTATE_VALUES, exprChildren, type ExprAst, type ExprDState, walkExpr } from './expression-ast.js';
import {
  dateToJulian,
  guessExprPath,
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

interface AttrLookup {
  /** Node the attribute is looked up on (undefined when the path does not resolve). */
  readonly node: string | undefined;
  readonly attr: ExprAttributeValue | undefined;
}

function lookupAttribute(ast: ExprAst & { kind: 'attribute' }, ctx: ExpressionContext): AttrLookup {
  const node = resolveRef(ctx, ast.path);
  return { node, attr: node === undefined ? undefined : ctx.attribute(node, ast.name) };
}

function lookupParentAttribute(ast: ExprAst & { kind: 'parent-attribute' }, ctx: ExpressionContext): AttrLookup {
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

function flagValue(ast: ExprAst & { kind: 'flag' }, ctx: ExpressionContext): { node: string | undefined; set: boolean } {
  if (ast.path === '/') return { node: undefined, set: ctx.hasFlag('/', ast.flag) };
  const node = resolveRef(ctx, ast.path);
  return { node, set: node !== undefined && ctx.hasFlag(node, ast.flag) };
}

function nodeDState(ast: ExprAst & { kind: 'node' }, ctx: ExpressionContext): { node: string | undefined; state: ExprDState } {
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
      return EXPR_DSTATE_VALUES[nodeDState(ast, ctx).state];
    case 'attribute':
      return lookupAttribute(ast, ctx).attr?.value ?? 0;
    case 'parent-attribute':
      return lookupParentAttribute(ast, ctx).attr?.value ?? 0;
    case 'flag':
      return flagValue(ast, ctx).set ? 1 : 0;
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

// ---- texts ------------------------------------------------------------------------------------

const CMP_WHY: Readonly<Record<string, string>> = {
  '==': ' == ',
  '!=': ' != ',
  '<': ' lt ',
  '<=': ' <= ',
  '>': ' > ',
  '>=': ' >= ',
};

/**
 * The expression text with current values, as `ecflow_client --why` prints it (ecFlow
 * `why_expression`): parts that hold are shown as `true`, references carry their state or value.
 *
 * @example whyExpressionText(parseExpression('t1 == complete'), ctx) // '(t1(queued) == complete)'
 */
export function whyExpressionText(ast: ExprAst, ctx: ExpressionContext): string {
  switch (ast.kind) {
    case 'and':
    case 'or':
      if (evaluate(ast, ctx)) return 'true';
      return `(${whyExpressionText(ast.left, ctx)} ${ast.kind} ${whyExpressionText(ast.right, ctx)})`;
    case 'compare':
      if (evaluate(ast, ctx)) return 'true';
      return `(${whyExpressionText(ast.left, ctx)}${CMP_WHY[ast.op]}${whyExpressionText(ast.right, ctx)})`;
    case 'not':
      if (evaluate(ast, ctx)) return 'true';
      return `not ${whyExpressionText(ast.operand, ctx)}`;
    case 'arith':
      return `${whyExpressionText(ast.left, ctx)} ${ast.op} ${whyExpressionText(ast.right, ctx)}`;
    case 'function':
      return `${ast.fn}( arg:${whyExpressionText(ast.arg, ctx)}) = ${valueOf(ast, ctx)}`;
    case 'integer':
      return String(ast.value);
    case 'instant':
      return ast.text;
    case 'node-state':
      return ast.state;
    case 'event-state':
      return ast.set ? 'set' : 'clear';
    case 'node': {
      const { node, state } = nodeDState(ast, ctx);
      return node === undefined ? `${ast.path}?(unknown)` : `${ast.path}(${state})`;
    }
    case 'flag': {
      if (evaluate(ast, ctx)) return 'true';
      const { node, set } = flagValue(ast, ctx);
      return node === undefined ? `${ast.path}(?)<flag>${ast.flag}(?)` : `${ast.path}<flag>${ast.flag}(${set ? 1 : 0})`;
    }
    case 'attribute': {
      const { node, attr } = lookupAttribute(ast, ctx);
      const type = attr?.type ?? 'variable-not-found';
      return `${ast.path}${node === undefined ? '(?)' : ''}:${ast.name}(type:${type} value:${attr?.value ?? 0})`;
    }
    case 'parent-attribute': {
      const { node, attr } = lookupParentAttribute(ast, ctx);
      const type = attr?.type ?? 'variable-not-found';
      return `${node === undefined ? '(?)' : ''}:${ast.name}(type:${type} value:${attr?.value ?? 0})`;
    }
    case 'unparsed':
      return `?(${ast.text})`;
  }
}

const CMP_TREE: Readonly<Record<string, string>> = {
  '==': 'EQUAL',
  '!=': 'NOT_EQUAL',
  '<': 'LESS_THAN',
  '<=': 'LESS_EQUAL',
  '>': 'GREATER_THAN',
  '>=': 'GREATER_EQUAL',
};
const ARITH_TREE: Readonly<Record<string, string>> = {
  '+': 'PLUS',
  '-': 'MINUS',
  '*': 'MULTIPLY',
  '/': 'DIVIDE',
  '%': 'Modulo',
};

function attributePrint(attr: ExprAttributeValue | undefined): string {
  if (attr === undefined) return '';
  switch (attr.type) {
    case 'event':
      return `EVENT value(${attr.value})`;
    case 'meter':
      return `METER value(${attr.value})`;
    case 'user-variable':
      return `USER-VARIABLE value(${attr.value})`;
    case 'repeat':
      return `REPEAT value(${attr.printValue ?? attr.value})`;
    case 'gen-variable':
      return `GEN-VARIABLE value(${attr.value})`;
    case 'limit':
      return `${attr.limitText ?? 'limit'} value(${attr.value})`;
    case 'queue':
      return `QUEUE ${attr.queueName ?? ''} value(${attr.value})`;
  }
}

function lastName(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? path : path.slice(cut + 1);
}

/** One line of ecFlow's evaluation tree for a node (without the `# ` prefix and indentation). */
function treeLabel(ast: ExprAst, ctx: ExpressionContext): string {
  const tf = (b: boolean): string => (b ? 'true' : 'false');
  switch (ast.kind) {
    case 'and':
      return `AND (${tf(evaluate(ast, ctx))})`;
    case 'or':
      return `OR (${tf(evaluate(ast, ctx))})`;
    case 'not':
      return `NOT (${tf(evaluate(ast, ctx))})`;
    case 'compare':
      return `${CMP_TREE[ast.op]} (${tf(evaluate(ast, ctx))})`;
    case 'arith':
      return `${ARITH_TREE[ast.op]} value(${valueOf(ast, ctx)})`;
    case 'integer':
      return `INTEGER ${ast.value}`;
    case 'instant':
      return `Instant ${ast.text}`;
    case 'node-state':
      return `NODE_STATE ${ast.state}(${EXPR_DSTATE_VALUES[ast.state]})`;
    case 'event-state':
      return `EVENT_STATE ${ast.set ? 1 : 0}`;
    case 'node': {
      const { node, state } = nodeDState(ast, ctx);
      return node === undefined
        ? `NODE node(?not-found?) ${ast.path} unknown(0) # check suite filter`
        : `NODE ${ast.path} ${state}(${EXPR_DSTATE_VALUES[state]})`;
    }
    case 'flag': {
      const { node, set } = flagValue(ast, ctx);
      return node === undefined
        ? `FLAG_NODE node(?not-found?) ${ast.path} ${ast.flag}(0) # check suite filter`
        : `FLAG_NODE ${ast.path} ${ast.flag}(${set ? 1 : 0})`;
    }
    case 'attribute': {
      const { node, attr } = lookupAttribute(ast, ctx);
      return node === undefined
        ? `${ast.path}:${ast.name} node(?not-found?) ${ast.path} value(0) # check suite filter`
        : `${ast.path}:${ast.name} node(${lastName(node)}) ${attributePrint(attr)}`;
    }
    case 'parent-attribute': {
      const { node, attr } = lookupParentAttribute(ast, ctx);
      return node === undefined
        ? `:${ast.name} node(?not-found?) value(0) # check suite filter`
        : `:${ast.name} node(${lastName(node)}) ${attributePrint(attr)}`;
    }
    case 'function':
      return `${ast.fn === 'date_to_julian' ? 'DATE_TO_JULIAN' : 'JULIAN_TO_DATE'} ${valueOf(ast, ctx)}`;
    case 'unparsed':
      return `UNPARSED ${ast.text}`;
  }
}

/**
 * ecflow_client's `# Trigger Evaluation Tree` (as in `--get_state`), one string per line, two
 * spaces of indentation per level, without the heading line.
 *
 * @example evaluationTreeLines(parseExpression('t1 == complete'), ctx)
 * // ['# EQUAL (false)', '  # NODE t1 queued(2)', '  # NODE_STATE complete(1)']
 */
export function evaluationTreeLines(ast: ExprAst, ctx: ExpressionContext): string[] {
  const out: string[] = [];
  const visit = (node: ExprAst, depth: number): void => {
    out.push(`${'  '.repeat(depth)}# ${treeLabel(node, ctx)}`);
    if (node.kind === 'function') return; // ecFlow prints only the result
    for (const child of exprChildren(node)) visit(child, depth + 1);
  };
  visit(ast, 0);
  return out;
}

function isBool(ast: ExprAst): boolean {
  return ast.kind === 'and' || ast.kind === 'or';
}

/** `not ( … )`: a `not` that ecFlow can only have parsed in front of parentheses. */
function isNotGroup(ast: ExprAst): boolean {
  return ast.kind === 'not' && (isBool(ast.operand) || ast.operand.kind === 'not');
}

/** A `[not] compare` item of an and-chain (anything but and/or and `not ( … )`). */
function isChainItem(ast: ExprAst): boolean {
  return !isBool(ast) && !isNotGroup(ast);
}

/** Left-deep `a and b and c` of chain items: what ecFlow's and-chain rule builds. */
function isAndChain(ast: ExprAst): boolean {
  return isChainItem(ast) || (ast.kind === 'and' && isAndChain(ast.left) && isChainItem(ast.right));
}

const NOT_TEXT = { not: 'not ', '!': '! ', '~': '~ ' } as const;

/** Text of a calc operand (right of an operator): nested arithmetic needs parentheses. */
function calcText(ast: ExprAst, asRight: boolean): string {
  const t = expressionText(ast);
  return asRight && ast.kind === 'arith' ? `(${t})` : t;
}

/**
 * Regenerate expression text from the tree: normalised spacing, `eq` → `==` etc., and
 * parentheses exactly where ecFlow's grammar needs them, so that parsing the text gives the same
 * tree again.
 *
 * @example expressionText(parseExpression('a eq complete AND(b:ev)')) // 'a == complete and b:ev'
 */
export function expressionText(ast: ExprAst): string {
  switch (ast.kind) {
    case 'and':
    case 'or': {
      const { left, right } = ast;
      if (ast.kind === 'and' && isAndChain(ast)) return `${expressionText(left)} and ${expressionText(right)}`;
      let lhs: string;
      let chainHead = false;
      if (isAndChain(left)) {
        lhs = expressionText(left);
        chainHead = true;
      } else if (isNotGroup(left)) {
        lhs = expressionText(left);
      } else {
        lhs = `(${expressionText(left)})`;
      }
      // After an and-chain, `and` would extend the chain: the right side must start a group.
      const rhs = ast.kind === 'and' && chainHead ? `(${expressionText(right)})` : expressionText(right);
      return `${lhs} ${ast.kind} ${rhs}`;
    }
    case 'compare':
      return `${expressionText(ast.left)} ${ast.op} ${ast.right.kind === 'not' ? expressionText(ast.right) : calcText(ast.right, false)}`;
    case 'arith':
      return `${calcText(ast.left, false)} ${ast.op} ${calcText(ast.right, true)}`;
    case 'not':
      return isNotGroup(ast)
        ? `${NOT_TEXT[ast.spelling]}(${expressionText(ast.operand)})`
        : `${NOT_TEXT[ast.spelling]}${expressionText(ast.operand)}`;
    case 'function':
      return `cal::${ast.fn}(${expressionText(ast.arg)})`;
    case 'integer':
      return String(ast.value);
    case 'instant':
      return ast.text;
    case 'node-state':
      return ast.state;
    case 'event-state':
      return ast.set ? 'set' : 'clear';
    case 'node':
      return ast.path;
    case 'attribute':
      return `${ast.path}:${ast.name}`;
    case 'parent-attribute':
      return `:${ast.name}`;
    case 'flag':
      return `${ast.path}<flag>${ast.flag}`;
    case 'unparsed':
      return ast.text;
  }
}

// ---- explanation for the UI -------------------------------------------------------------------

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
      const { node } = flagValue(ast, ctx);
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
        const { node, state } = nodeDState(left, ctx);
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
    const { node, state } = nodeDState(ast, ctx);
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
    const { node } = flagValue(ast, ctx);
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
