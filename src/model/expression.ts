/**
 * ecFlow trigger and complete expressions: the public entry point.
 *
 * - `parseExpression(text)` → `ExprAst` (throws `ExpressionParseError`, code DEFS_PARSE, with
 *   `position`); `parseExpressionTolerant(text)` keeps unparsable text as an `unparsed` node;
 *   `combineExpressionParts` / `expressionAst` join `trigger -a/-o` lines like ecFlow.
 * - `evaluate(ast, ctx)` (does it hold?) and `valueOf(ast, ctx)` (integer value), with ecFlow's
 *   semantics, over any `ExpressionContext` (`ModelExpressionContext` for the node model).
 * - `explain(ast, ctx)` → a tree of sub-results for display, `failingDetails` the plain-word
 *   reasons, `evaluationTreeLines` ecflow_client's `# Trigger Evaluation Tree`,
 *   `whyExpressionText` the text of `ecflow_client --why`.
 * - `referencedNodes(ast, fromPath, ctx?)` → absolute paths, for "triggers of" / "triggered by".
 *
 * Grammar and tree shapes: see expression-parser.ts. Semantics: expression-eval.ts.
 *
 * @example
 * const ast = parseExpression('t1 == complete or ../f2:YMD ge 20240101');
 * const ctx = new ModelExpressionContext(defs, '/s/f1/t2');
 * evaluate(ast, ctx);                 // false
 * failingDetails(explain(ast, ctx));  // ['/s/f1/t1 is queued, expected complete', …]
 * referencedNodes(ast, '/s/f1/t2');   // ['/s/f1/t1', '/s/f2']
 *
 * Pure module: no Node or DOM types.
 */

export type {
  AndExpr,
  ArithExpr,
  ArithOp,
  AttributeRefExpr,
  CompareExpr,
  CompareOp,
  EventStateExpr,
  ExprAst,
  ExprDState,
  ExprFlag,
  ExprKind,
  ExprNodeState,
  FlagRefExpr,
  FunctionExpr,
  InstantExpr,
  IntegerExpr,
  NodeRefExpr,
  NodeStateExpr,
  NotExpr,
  OrExpr,
  ParentAttributeRefExpr,
  UnparsedExpr,
} from './expression-ast.js';
export { EXPR_DSTATE_VALUES, EXPR_FLAGS, EXPR_NODE_STATES, exprChildren, walkExpr } from './expression-ast.js';
export {
  combineExpressionParts,
  ExpressionParseError,
  parseExpression,
  parseExpressionTolerant,
  type ExpressionJoinKind,
} from './expression-parser.js';
export type { ExprAttributeType, ExprAttributeValue, ExpressionContext } from './expression-context.js';
export { dateToJulian, guessExprPath, julianToDate, resolveExprPath, splitPath } from './expression-context.js';
export { evaluate, resolveRef, valueOf, withNodePath } from './expression-eval.js';
export { explain, expressionReferences, failingDetails, referencedNodes, type ExplainNode, type ExprReference } from './expression-explain.js';
export { evaluationTreeLines, expressionText, whyExpressionText } from './expression-text.js';
export {
  expressionAst,
  expressionContextFor,
  expressionDependencies,
  expressionDependents,
  type ExprDependency,
  generatedVariableValue,
  ModelExpressionContext,
  nodeAttributeValue,
  nodeDState,
  queueExprValue,
  repeatExprValue,
} from './expression-model.js';
