/**
 * The abstract syntax tree of ecFlow trigger and complete expressions.
 *
 * The shapes follow ecFlow's own AST (libs/node ExprAst: AstAnd, AstOr, AstNot, AstEqual …,
 * AstNode, AstVariable, AstParentVariable, AstFlag, AstFunction, AstInteger, AstInstant,
 * AstNodeState, AstEventState), so that evaluation, the "why" text and the
 * `# Trigger Evaluation Tree` print agree with ecFlow node for node. See expression-parser.ts for
 * how the grammar builds them (including ecFlow's unusual `and`/`or` grouping).
 *
 * Every node carries `start`/`end`: character offsets into the text it was parsed from.
 *
 * Pure module: no Node or DOM types.
 */

/** Node states that can be written in an expression (ecFlow DState minus `suspended`). */
export const EXPR_NODE_STATES = ['unknown', 'complete', 'queued', 'aborted', 'submitted', 'active'] as const;
export type ExprNodeState = (typeof EXPR_NODE_STATES)[number];

/**
 * A node's state as expressions see it (ecFlow `Node::dstate()`): `suspended` wins over the
 * node's own state. The numbers are ecFlow's DState values, used in comparisons.
 */
export const EXPR_DSTATE_VALUES = {
  unknown: 0,
  complete: 1,
  queued: 2,
  aborted: 3,
  submitted: 4,
  active: 5,
  suspended: 6,
} as const;
export type ExprDState = keyof typeof EXPR_DSTATE_VALUES;

/** Flags that `<path><flag><name>` can test (ecFlow ≥ 5). */
export const EXPR_FLAGS = ['late', 'zombie', 'archived'] as const;
export type ExprFlag = (typeof EXPR_FLAGS)[number];

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithOp = '+' | '-' | '*' | '/' | '%';

interface Span {
  /** Offset of the first character in the source text. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
}

/** `left and right` (also `&&`, `AND`, and the `-a` continuation line). */
export interface AndExpr extends Span {
  readonly kind: 'and';
  readonly left: ExprAst;
  readonly right: ExprAst;
}
/** `left or right` (also `||`, `OR`, and the `-o` continuation line). */
export interface OrExpr extends Span {
  readonly kind: 'or';
  readonly left: ExprAst;
  readonly right: ExprAst;
}
/** `not x`, `! x`, `~ x`. `spelling` keeps what was written. */
export interface NotExpr extends Span {
  readonly kind: 'not';
  readonly spelling: 'not' | '!' | '~';
  readonly operand: ExprAst;
}
/** A comparison. `eq ne lt le gt ge` are normalised to their symbols. */
export interface CompareExpr extends Span {
  readonly kind: 'compare';
  readonly op: CompareOp;
  readonly left: ExprAst;
  readonly right: ExprAst;
}
/** Integer arithmetic (ecFlow evaluates these left to right, without operator precedence). */
export interface ArithExpr extends Span {
  readonly kind: 'arith';
  readonly op: ArithOp;
  readonly left: ExprAst;
  readonly right: ExprAst;
}
/** A non-negative integer literal. */
export interface IntegerExpr extends Span {
  readonly kind: 'integer';
  readonly value: number;
}
/** A `yyyymmddThhmmss` instant literal (ecFlow ≥ 5.13); `value` is seconds since 1970 (UTC). */
export interface InstantExpr extends Span {
  readonly kind: 'instant';
  readonly text: string;
  readonly value: number;
}
/** A node state word on the right of `path == state`. */
export interface NodeStateExpr extends Span {
  readonly kind: 'node-state';
  readonly state: ExprNodeState;
}
/** `set` / `clear` on the right of `path:event == set`. */
export interface EventStateExpr extends Span {
  readonly kind: 'event-state';
  readonly set: boolean;
}
/** A node reference (`t1`, `../f/t`, `./t`, `/s/f/t`), only on the left of `== state`. */
export interface NodeRefExpr extends Span {
  readonly kind: 'node';
  /** The path exactly as written (trimmed). */
  readonly path: string;
}
/** `path:name`: an event, meter, variable, repeat, generated variable, limit or queue of a node. */
export interface AttributeRefExpr extends Span {
  readonly kind: 'attribute';
  readonly path: string;
  readonly name: string;
}
/** `:name`: the same, searched on the expression's own node and then up its ancestors. */
export interface ParentAttributeRefExpr extends Span {
  readonly kind: 'parent-attribute';
  readonly name: string;
}
/** `path<flag>late` (path may be `/` for the server's flags). */
export interface FlagRefExpr extends Span {
  readonly kind: 'flag';
  readonly path: string;
  readonly flag: ExprFlag;
}
/** `cal::date_to_julian(arg)` / `cal::julian_to_date(arg)`. */
export interface FunctionExpr extends Span {
  readonly kind: 'function';
  readonly fn: 'date_to_julian' | 'julian_to_date';
  readonly arg: ExprAst;
}
/**
 * Text that could not be parsed (from the tolerant parser only). Evaluates to false; the UI still
 * shows `text`.
 */
export interface UnparsedExpr extends Span {
  readonly kind: 'unparsed';
  readonly text: string;
  /** The parse error message. */
  readonly error: string;
  /** Offset where parsing failed. */
  readonly position: number;
}

export type ExprAst =
  | AndExpr
  | OrExpr
  | NotExpr
  | CompareExpr
  | ArithExpr
  | IntegerExpr
  | InstantExpr
  | NodeStateExpr
  | EventStateExpr
  | NodeRefExpr
  | AttributeRefExpr
  | ParentAttributeRefExpr
  | FlagRefExpr
  | FunctionExpr
  | UnparsedExpr;

export type ExprKind = ExprAst['kind'];

/** The direct sub-expressions of a node, left to right. */
export function exprChildren(ast: ExprAst): ExprAst[] {
  switch (ast.kind) {
    case 'and':
    case 'or':
    case 'compare':
    case 'arith':
      return [ast.left, ast.right];
    case 'not':
      return [ast.operand];
    case 'function':
      return [ast.arg];
    default:
      return [];
  }
}

/** Visit every node of the tree, parents before children. */
export function walkExpr(ast: ExprAst, visit: (node: ExprAst) => void): void {
  const stack: ExprAst[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop()!;
    visit(node);
    const kids = exprChildren(node);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
}
