/**
 * The texts ecFlow prints for an expression: the "why" text of `ecflow_client --why`
 * (`why_expression`), the `# Trigger Evaluation Tree` of `ecflow_client --get_state`, and the
 * expression regenerated from its tree (normalised, parenthesised where ecFlow's grammar needs it).
 *
 * Pure module: no Node or DOM types.
 */

import { EXPR_DSTATE_VALUES, exprChildren, type ExprAst } from './expression-ast.js';
import type { ExprAttributeValue, ExpressionContext } from './expression-context.js';
import { evaluate, lookupAttribute, lookupFlag, lookupNode, lookupParentAttribute, valueOf } from './expression-eval.js';

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
      const { node, state } = lookupNode(ast, ctx);
      return node === undefined ? `${ast.path}?(unknown)` : `${ast.path}(${state})`;
    }
    case 'flag': {
      if (evaluate(ast, ctx)) return 'true';
      const { node, set } = lookupFlag(ast, ctx);
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
export function treeLabel(ast: ExprAst, ctx: ExpressionContext): string {
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
      const { node, state } = lookupNode(ast, ctx);
      return node === undefined
        ? `NODE node(?not-found?) ${ast.path} unknown(0) # check suite filter`
        : `NODE ${ast.path} ${state}(${EXPR_DSTATE_VALUES[state]})`;
    }
    case 'flag': {
      const { node, set } = lookupFlag(ast, ctx);
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
