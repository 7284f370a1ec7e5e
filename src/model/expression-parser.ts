/**
 * Parser for ecFlow trigger/complete expressions (the text after `trigger`/`complete`, §10.3 of
 * ecflow-protocol.md).
 *
 * Design note. ecFlow parses expressions with a Boost.Spirit (classic) grammar, i.e. a PEG:
 * ordered choice, no backtracking into an alternative that already matched, literals matched as
 * plain prefixes (so `andb` is `and b`, `eqcomplete` is `eq complete`, and `or` inside a node
 * name after a complete sub-expression is taken as the operator). This parser mirrors that grammar
 * rule by rule (ExprParser.cpp, same in 5.9 … 5.17), with packrat memoisation so that nested
 * parentheses cannot make it exponential:
 *
 *   expression          = subexpr END
 *   subexpr             = (and_chain | group) [ (and|or) subexpr ]       -> op(head, subexpr)
 *   and_chain           = [not] compare { and [not] compare }            -> left-assoc AND
 *   group               = [not] '(' subexpr ')'
 *   compare             = nodepath (==|!=|eq|ne) state
 *                       | nodepath ':' name (==|!=|eq|ne) (set|clear)
 *                       | calc { cmp-op [not] calc }                     -> left-assoc
 *   calc                = factor { (+|-|*|/|%) factor }                  -> left-assoc, no precedence
 *   factor              = datetime | integer | nodepath ':' name | '(' calc ')' | flag_path
 *                       | ':' name | op factor (rejected, as ecFlow does) | cal::date_to_julian(arg)
 *                       | cal::julian_to_date(arg)
 *
 * The resulting tree is ecFlow's, including its surprises, verified against ecflow_client's
 * `# Trigger Evaluation Tree` (expression-server.test.ts):
 *   `(a == complete) and b == complete or c == complete`  is  AND(a, OR(b, c))
 *   `a == complete or b == complete or c == complete`      is  OR(a, OR(b, c))
 *   `1 + 2 * 3`                                             is  (1 + 2) * 3
 * Bare node paths (`t1`, `!t1`, `t1 == t2`) are not expressions in ecFlow and are rejected here too.
 *
 * Whitespace: skipped before every token. Inside a path only before a name: `../ a` is accepted
 * (and names a node ` a`, like ecFlow), `/s /f` is not.
 *
 * Pure module: no Node or DOM types.
 */

import { EcflowError, ErrorCode } from '../errors.js';
import type {
  ArithOp,
  CompareOp,
  ExprAst,
  ExprFlag,
  ExprNodeState,
  IntegerExpr,
  UnparsedExpr,
} from './expression-ast.js';
import { walkExpr } from './expression-ast.js';

/** A DEFS_PARSE error for an expression, with the offset where parsing stopped. */
export class ExpressionParseError extends EcflowError {
  /** The expression text. */
  readonly text: string;
  /** Offset (0-based) in `text` where the parser stopped. */
  readonly position: number;
  constructor(text: string, position: number, reason: string) {
    super(ErrorCode.DEFS_PARSE, `Cannot parse expression '${text}' at column ${position + 1}: ${reason}`);
    this.name = 'ExpressionParseError';
    this.text = text;
    this.position = position;
  }
}

/** Deepest nesting of parentheses/`not`s accepted (protects the call stack). */
const MAX_DEPTH = 256;
const INT32_MAX = 2147483647;

const STATE_WORDS: readonly ExprNodeState[] = ['complete', 'aborted', 'queued', 'active', 'submitted', 'unknown'];
const FLAG_WORDS: readonly ExprFlag[] = ['late', 'zombie', 'archived'];
const EQUALITY: ReadonlyArray<readonly [string, CompareOp]> = [
  ['==', '=='],
  ['eq', '=='],
  ['ne', '!='],
  ['!=', '!='],
];
const RELATIONAL: ReadonlyArray<readonly [string, CompareOp]> = [
  ['ge', '>='],
  ['le', '<='],
  ['gt', '>'],
  ['lt', '<'],
  ['>=', '>='],
  ['<=', '<='],
  ['<', '<'],
  ['>', '>'],
];
const ARITH: readonly ArithOp[] = ['+', '-', '/', '*', '%'];

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

interface Parsed<T> {
  readonly value: T;
  readonly end: number;
}
type Memo = Map<number, Parsed<ExprAst> | null>;

interface PathMatch {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

class Parser {
  private readonly s: string;
  private readonly n: number;
  /** Furthest offset at which a token was expected, and what. */
  private failPos = 0;
  private failWhat = new Set<string>();
  private depth = 0;
  /** Nodes that ecFlow would refuse when building its AST (unary operators, huge integers). */
  readonly invalid = new Map<ExprAst, string>();
  private readonly memoSub: Memo = new Map();
  private readonly memoAnd: Memo = new Map();
  private readonly memoCompare: Memo = new Map();
  private readonly memoCalc: Memo = new Map();
  private readonly memoPath = new Map<number, PathMatch | null>();

  constructor(text: string) {
    this.s = text;
    this.n = text.length;
  }

  // ---- error bookkeeping ----------------------------------------------------------------------

  private expected(pos: number, what: string): void {
    if (pos > this.failPos) {
      this.failPos = pos;
      this.failWhat = new Set([what]);
    } else if (pos === this.failPos) {
      this.failWhat.add(what);
    }
  }

  error(): ExpressionParseError {
    const at = this.failPos;
    const what = [...this.failWhat];
    const found = at >= this.n ? 'end of expression' : `'${this.s.slice(at, at + 12)}'`;
    const expect = what.length === 0 ? '' : `expected ${what.slice(0, 6).join(', ')}${what.length > 6 ? ', …' : ''}; `;
    return new ExpressionParseError(this.s, at, `${expect}found ${found}`);
  }

  // ---- lexical helpers ------------------------------------------------------------------------

  private skip(pos: number): number {
    while (pos < this.n && isSpace(this.s.charCodeAt(pos))) pos++;
    return pos;
  }

  /** A literal after optional whitespace; returns the end offset or -1. */
  private lit(pos: number, word: string, what: string = `'${word}'`): number {
    const p = this.skip(pos);
    if (this.s.startsWith(word, p)) return p + word.length;
    this.expected(p, what);
    return -1;
  }

  /** A literal with no whitespace before it (inside a path). */
  private litTight(pos: number, word: string): number {
    if (this.s.startsWith(word, pos)) return pos + word.length;
    this.expected(pos, `'${word}'`);
    return -1;
  }

  /** ecFlow `nodename`: a lexeme `[A-Za-z0-9_][A-Za-z0-9_.]*`, whitespace allowed before it. */
  private nodeName(pos: number): number {
    const p = this.skip(pos);
    if (p >= this.n) {
      this.expected(p, 'a name');
      return -1;
    }
    const c = this.s.charCodeAt(p);
    if (!(isAlnum(c) || c === 95)) {
      this.expected(p, 'a name');
      return -1;
    }
    let e = p + 1;
    while (e < this.n) {
      const d = this.s.charCodeAt(e);
      if (isAlnum(d) || d === 95 || d === 46) e++;
      else break;
    }
    return e;
  }

  // ---- paths ----------------------------------------------------------------------------------

  /** absolutepath | dotdotpath | dotpath, memoised. */
  private nodePath(pos: number): PathMatch | null {
    const cached = this.memoPath.get(pos);
    if (cached !== undefined) return cached;
    const start = this.skip(pos);
    const end = this.absolutePath(start);
    const e = end >= 0 ? end : this.dotDotPath(start);
    const e2 = e >= 0 ? e : this.dotPath(start);
    const result = e2 >= 0 ? { path: this.s.slice(start, e2).trim(), start, end: e2 } : null;
    this.memoPath.set(pos, result);
    return result;
  }

  /** `[/] name { /+ name }` */
  private absolutePath(p: number): number {
    let e = p;
    if (this.s.charCodeAt(e) === 47) e++;
    e = this.nodeName(e);
    if (e < 0) return -1;
    for (;;) {
      let q = e;
      if (this.s.charCodeAt(q) !== 47) {
        this.expected(q, "'/'");
        return e;
      }
      while (this.s.charCodeAt(q) === 47) q++;
      const r = this.nodeName(q);
      if (r < 0) return e;
      e = r;
    }
  }

  /** `.. { /+ .. } ( /+ name )+` */
  private dotDotPath(p: number): number {
    let e = this.litTight(p, '..');
    if (e < 0) return -1;
    for (;;) {
      let q = e;
      if (this.s.charCodeAt(q) !== 47) break;
      while (this.s.charCodeAt(q) === 47) q++;
      const r = this.litTight(q, '..');
      if (r < 0) break;
      e = r;
    }
    let names = 0;
    for (;;) {
      let q = e;
      if (this.s.charCodeAt(q) !== 47) {
        this.expected(q, "'/'");
        break;
      }
      while (this.s.charCodeAt(q) === 47) q++;
      const r = this.nodeName(q);
      if (r < 0) break;
      e = r;
      names++;
    }
    return names > 0 ? e : -1;
  }

  /** `. ( / name )+` */
  private dotPath(p: number): number {
    let e = this.litTight(p, '.');
    if (e < 0) return -1;
    let names = 0;
    for (;;) {
      const q = this.litTight(e, '/');
      if (q < 0) break;
      const r = this.nodeName(q);
      if (r < 0) break;
      e = r;
      names++;
    }
    return names > 0 ? e : -1;
  }

  // ---- operators ------------------------------------------------------------------------------

  private oneOf<T>(pos: number, table: ReadonlyArray<readonly [string, T]>): Parsed<T> | null {
    const p = this.skip(pos);
    for (const [word, value] of table) {
      if (this.s.startsWith(word, p)) return { value, end: p + word.length };
    }
    for (const [word] of table) this.expected(p, `'${word}'`);
    return null;
  }

  /** `not ` | `!` | `~` */
  private notOp(pos: number): Parsed<'not' | '!' | '~'> | null {
    const p = this.skip(pos);
    if (this.s.startsWith('not ', p)) return { value: 'not', end: p + 4 };
    if (this.s.startsWith('!', p)) return { value: '!', end: p + 1 };
    if (this.s.startsWith('~', p)) return { value: '~', end: p + 1 };
    this.expected(p, "'not'");
    return null;
  }

  /**
   * `and_r` / `or_r`: Spirit's sequential-or `a || b || c` (a, b, c, or any of them in sequence),
   * e.g. `and`, `&&`, `AND`, also `and&&`.
   */
  private boolOp(pos: number, words: readonly [string, string, string]): number {
    let e = -1;
    let p = pos;
    for (const w of words) {
      const q = this.skip(p);
      if (this.s.startsWith(w, q)) {
        e = q + w.length;
        p = e;
      } else if (e < 0) {
        this.expected(q, `'${w}'`);
      }
    }
    return e;
  }

  private andOp(pos: number): number {
    return this.boolOp(pos, ['and', '&&', 'AND']);
  }
  private orOp(pos: number): number {
    return this.boolOp(pos, ['or', '||', 'OR']);
  }

  // ---- grammar --------------------------------------------------------------------------------

  private enter(pos: number): void {
    if (++this.depth > MAX_DEPTH) {
      throw new ExpressionParseError(this.s, pos, `nested more than ${MAX_DEPTH} levels deep`);
    }
  }

  /** expression = subexpr END */
  parse(): ExprAst {
    const r = this.subExpr(0);
    if (r !== null) {
      const e = this.skip(r.end);
      if (e === this.n) return r.value;
      this.expected(e, "'and'");
      this.expected(e, "'or'");
      this.expected(e, 'end of expression');
    }
    throw this.error();
  }

  /** subexpr = (and_chain | group) [ (and|or) subexpr ] */
  private subExpr(pos: number): Parsed<ExprAst> | null {
    const cached = this.memoSub.get(pos);
    if (cached !== undefined) return cached;
    this.enter(pos);
    let result: Parsed<ExprAst> | null = null;
    try {
      const head = this.andChain(pos) ?? this.group(pos);
      if (head !== null) {
        result = head;
        let opEnd = this.andOp(head.end);
        let kind: 'and' | 'or' = 'and';
        if (opEnd < 0) {
          opEnd = this.orOp(head.end);
          kind = 'or';
        }
        if (opEnd >= 0) {
          const rest = this.subExpr(opEnd);
          if (rest !== null) {
            result = {
              value: { kind, left: head.value, right: rest.value, start: head.value.start, end: rest.value.end },
              end: rest.end,
            };
          }
        }
      }
    } finally {
      this.depth--;
    }
    this.memoSub.set(pos, result);
    return result;
  }

  /** and_chain = [not] compare { and [not] compare } */
  private andChain(pos: number): Parsed<ExprAst> | null {
    const cached = this.memoAnd.get(pos);
    if (cached !== undefined) return cached;
    let result = this.notCompare(pos);
    while (result !== null) {
      const opEnd = this.andOp(result.end);
      if (opEnd < 0) break;
      const next = this.notCompare(opEnd);
      if (next === null) break;
      const left: ExprAst = result.value;
      result = {
        value: { kind: 'and', left, right: next.value, start: left.start, end: next.value.end },
        end: next.end,
      };
    }
    this.memoAnd.set(pos, result);
    return result;
  }

  /** `[not] compare`: once a `not` matched there is no retry without it (PEG `!not_r >> …`). */
  private notCompare(pos: number): Parsed<ExprAst> | null {
    const not = this.notOp(pos);
    if (not === null) return this.compare(pos);
    const c = this.compare(not.end);
    if (c === null) return null;
    const start = this.skip(pos);
    return { value: { kind: 'not', spelling: not.value, operand: c.value, start, end: c.value.end }, end: c.end };
  }

  /** group = [not] '(' subexpr ')' */
  private group(pos: number): Parsed<ExprAst> | null {
    const not = this.notOp(pos);
    const inner = (from: number): Parsed<ExprAst> | null => {
      const open = this.lit(from, '(');
      if (open < 0) return null;
      const sub = this.subExpr(open);
      if (sub === null) return null;
      const close = this.lit(sub.end, ')');
      if (close < 0) return null;
      return { value: sub.value, end: close };
    };
    if (not === null) return inner(pos);
    const g = inner(not.end);
    if (g === null) return null;
    const start = this.skip(pos);
    return { value: { kind: 'not', spelling: not.value, operand: g.value, start, end: g.end }, end: g.end };
  }

  /** compare = nodepath eq state | nodepath ':' name eq (set|clear) | calc { op [not] calc } */
  private compare(pos: number): Parsed<ExprAst> | null {
    const cached = this.memoCompare.get(pos);
    if (cached !== undefined) return cached;
    const result = this.nodePathState(pos) ?? this.eventCompare(pos) ?? this.calcCompare(pos);
    this.memoCompare.set(pos, result);
    return result;
  }

  private nodePathState(pos: number): Parsed<ExprAst> | null {
    const path = this.nodePath(pos);
    if (path === null) return null;
    const op = this.oneOf(path.end, EQUALITY);
    if (op === null) return null;
    const p = this.skip(op.end);
    for (const state of STATE_WORDS) {
      if (this.s.startsWith(state, p)) {
        const end = p + state.length;
        return {
          value: {
            kind: 'compare',
            op: op.value,
            left: { kind: 'node', path: path.path, start: path.start, end: path.end },
            right: { kind: 'node-state', state, start: p, end },
            start: path.start,
            end,
          },
          end,
        };
      }
    }
    this.expected(p, 'a node state');
    return null;
  }

  /** nodepath ':' name */
  private attributeRef(pos: number): Parsed<ExprAst> | null {
    const path = this.nodePath(pos);
    if (path === null) return null;
    const colon = this.lit(path.end, ':');
    if (colon < 0) return null;
    const nameStart = this.skip(colon);
    const nameEnd = this.nodeName(colon);
    if (nameEnd < 0) return null;
    return {
      value: {
        kind: 'attribute',
        path: path.path,
        name: this.s.slice(nameStart, nameEnd),
        start: path.start,
        end: nameEnd,
      },
      end: nameEnd,
    };
  }

  private eventCompare(pos: number): Parsed<ExprAst> | null {
    const ref = this.attributeRef(pos);
    if (ref === null) return null;
    const op = this.oneOf(ref.end, EQUALITY);
    if (op === null) return null;
    const p = this.skip(op.end);
    let set: boolean;
    let end: number;
    if (this.s.startsWith('set', p)) {
      set = true;
      end = p + 3;
    } else if (this.s.startsWith('clear', p)) {
      set = false;
      end = p + 5;
    } else {
      this.expected(p, "'set'");
      this.expected(p, "'clear'");
      return null;
    }
    return {
      value: {
        kind: 'compare',
        op: op.value,
        left: ref.value,
        right: { kind: 'event-state', set, start: p, end },
        start: ref.value.start,
        end,
      },
      end,
    };
  }

  private calcCompare(pos: number): Parsed<ExprAst> | null {
    let result = this.calc(pos);
    while (result !== null) {
      const op = this.oneOf(result.end, EQUALITY) ?? this.oneOf(result.end, RELATIONAL);
      if (op === null) break;
      const not = this.notOp(op.end);
      let right: Parsed<ExprAst> | null;
      if (not === null) right = this.calc(op.end);
      else {
        const c = this.calc(not.end);
        const start = this.skip(op.end);
        right =
          c === null
            ? null
            : { value: { kind: 'not', spelling: not.value, operand: c.value, start, end: c.value.end }, end: c.end };
      }
      if (right === null) break;
      const left: ExprAst = result.value;
      result = {
        value: { kind: 'compare', op: op.value, left, right: right.value, start: left.start, end: right.value.end },
        end: right.end,
      };
    }
    return result;
  }

  /** calc = factor { op factor }, left-associative, all operators alike */
  private calc(pos: number): Parsed<ExprAst> | null {
    const cached = this.memoCalc.get(pos);
    if (cached !== undefined) return cached;
    this.enter(pos);
    let result: Parsed<ExprAst> | null;
    try {
      result = this.factor(pos);
      while (result !== null) {
        const op = this.arithOp(result.end);
        if (op === null) break;
        const right = this.factor(op.end);
        if (right === null) break;
        const left: ExprAst = result.value;
        result = {
          value: { kind: 'arith', op: op.value, left, right: right.value, start: left.start, end: right.value.end },
          end: right.end,
        };
      }
    } finally {
      this.depth--;
    }
    this.memoCalc.set(pos, result);
    return result;
  }

  private arithOp(pos: number): Parsed<ArithOp> | null {
    const p = this.skip(pos);
    const c = this.s[p];
    for (const op of ARITH) if (c === op) return { value: op, end: p + 1 };
    this.expected(p, 'an operator');
    return null;
  }

  private factor(pos: number): Parsed<ExprAst> | null {
    return (
      this.datetime(pos) ??
      this.integer(pos) ??
      this.attributeRef(pos) ??
      this.parenCalc(pos) ??
      this.flagPath(pos) ??
      this.parentAttribute(pos) ??
      this.unary(pos) ??
      this.calFunction(pos, 'cal::date_to_julian', 'date_to_julian') ??
      this.calFunction(pos, 'cal::julian_to_date', 'julian_to_date')
    );
  }

  /** yyyymmddThhmmss */
  private datetime(pos: number): Parsed<ExprAst> | null {
    const p = this.skip(pos);
    if (p + 15 > this.n || this.s[p + 8] !== 'T') return null;
    for (let i = 0; i < 15; i++) if (i !== 8 && !isDigit(this.s.charCodeAt(p + i))) return null;
    const text = this.s.slice(p, p + 15);
    const ms = Date.UTC(
      Number(text.slice(0, 4)),
      Number(text.slice(4, 6)) - 1,
      Number(text.slice(6, 8)),
      Number(text.slice(9, 11)),
      Number(text.slice(11, 13)),
      Number(text.slice(13, 15)),
    );
    return { value: { kind: 'instant', text, value: Math.floor(ms / 1000), start: p, end: p + 15 }, end: p + 15 };
  }

  private integer(pos: number): Parsed<ExprAst> | null {
    const p = this.skip(pos);
    let e = p;
    while (e < this.n && isDigit(this.s.charCodeAt(e))) e++;
    if (e === p) {
      this.expected(p, 'an integer');
      return null;
    }
    const value = Number(this.s.slice(p, e));
    const node: IntegerExpr = { kind: 'integer', value: value > INT32_MAX ? 0 : value, start: p, end: e };
    if (value > INT32_MAX) this.invalid.set(node, `integer ${this.s.slice(p, e)} is too large`);
    return { value: node, end: e };
  }

  private parenCalc(pos: number): Parsed<ExprAst> | null {
    const open = this.lit(pos, '(');
    if (open < 0) return null;
    const inner = this.calc(open);
    if (inner === null) return null;
    const close = this.lit(inner.end, ')');
    if (close < 0) return null;
    return { value: inner.value, end: close };
  }

  /** (nodepath | '/') '<flag>' flag */
  private flagPath(pos: number): Parsed<ExprAst> | null {
    let path = this.nodePath(pos);
    if (path === null) {
      const p = this.skip(pos);
      if (this.s.charCodeAt(p) !== 47) return null;
      path = { path: '/', start: p, end: p + 1 };
    }
    const tag = this.lit(path.end, '<flag>');
    if (tag < 0) return null;
    const p = this.skip(tag);
    for (const flag of FLAG_WORDS) {
      if (this.s.startsWith(flag, p)) {
        const end = p + flag.length;
        return { value: { kind: 'flag', path: path.path, flag, start: path.start, end }, end };
      }
    }
    this.expected(p, 'a flag (late, zombie, archived)');
    return null;
  }

  /** ':' name */
  private parentAttribute(pos: number): Parsed<ExprAst> | null {
    const colon = this.lit(pos, ':');
    if (colon < 0) return null;
    const nameStart = this.skip(colon);
    const nameEnd = this.nodeName(colon);
    if (nameEnd < 0) return null;
    return {
      value: { kind: 'parent-attribute', name: this.s.slice(nameStart, nameEnd), start: colon - 1, end: nameEnd },
      end: nameEnd,
    };
  }

  /** op factor: accepted by ecFlow's grammar, then refused when its AST is built. */
  private unary(pos: number): Parsed<ExprAst> | null {
    const op = this.arithOp(pos);
    if (op === null) return null;
    this.enter(pos);
    let operand: Parsed<ExprAst> | null;
    try {
      operand = this.factor(op.end);
    } finally {
      this.depth--;
    }
    if (operand === null) return null;
    const node: ExprAst = {
      kind: 'arith',
      op: op.value,
      left: { kind: 'integer', value: 0, start: op.end - 1, end: op.end - 1 },
      right: operand.value,
      start: op.end - 1,
      end: operand.value.end,
    };
    this.invalid.set(node, `unary '${op.value}' is not supported by ecFlow`);
    return { value: node, end: operand.end };
  }

  private calFunction(
    pos: number,
    word: string,
    fn: 'date_to_julian' | 'julian_to_date',
  ): Parsed<ExprAst> | null {
    const w = this.lit(pos, word);
    if (w < 0) return null;
    const open = this.lit(w, '(');
    if (open < 0) return null;
    const arg = this.attributeRef(open) ?? this.integer(open);
    if (arg === null) return null;
    const close = this.lit(arg.end, ')');
    if (close < 0) return null;
    return { value: { kind: 'function', fn, arg: arg.value, start: w - word.length, end: close }, end: close };
  }
}

/**
 * Parse one trigger/complete expression (the text of one `trigger`/`complete` line, without the
 * keyword and without a `# free` comment).
 *
 * Throws only `ExpressionParseError` (an `EcflowError` with code `DEFS_PARSE`) with `position`.
 *
 * @example
 * const ast = parseExpression('../f1/t2 eq aborted or (/s/f:ev and 1 == 1)');
 * ast.kind // 'or'
 */
export function parseExpression(text: string): ExprAst {
  const parser = new Parser(text);
  let ast: ExprAst;
  try {
    ast = parser.parse();
  } catch (e) {
    if (e instanceof ExpressionParseError) throw e;
    // A RangeError (stack) or anything else unexpected must not escape as a non-EcflowError.
    throw new ExpressionParseError(text, 0, e instanceof Error ? e.message : String(e));
  }
  if (parser.invalid.size > 0) {
    let first: { node: ExprAst; reason: string } | undefined;
    walkExpr(ast, (node) => {
      const reason = parser.invalid.get(node);
      if (reason !== undefined && first === undefined) first = { node, reason };
    });
    if (first !== undefined) throw new ExpressionParseError(text, first.node.start, first.reason);
  }
  return ast;
}

/**
 * Like `parseExpression`, but never throws: text that does not parse becomes an `unparsed` node
 * that keeps the text, the error and its position, so that a UI can still show it.
 *
 * @example parseExpressionTolerant('t1 == ').kind // 'unparsed'
 */
export function parseExpressionTolerant(text: string): ExprAst {
  try {
    return parseExpression(text);
  } catch (e) {
    const err = e instanceof ExpressionParseError ? e : new ExpressionParseError(text, 0, String(e));
    const unparsed: UnparsedExpr = {
      kind: 'unparsed',
      text,
      error: err.message,
      position: err.position,
      start: 0,
      end: text.length,
    };
    return unparsed;
  }
}

/** How a `trigger`/`complete` line joins the previous ones. */
export type ExpressionJoinKind = 'first' | 'and' | 'or';

/**
 * Combine the lines of a multi-part expression (`trigger a`, `trigger -a b`, `trigger -o c`) the
 * way ecFlow does (Expression::createAST): a left fold, `((a AND b) OR c)`. Offsets of each part
 * stay relative to its own line. Tolerant: a part that does not parse becomes `unparsed`.
 *
 * @example
 * combineExpressionParts([{ join: 'first', text: 'a == complete' }, { join: 'or', text: 'b:ev' }]).kind // 'or'
 */
export function combineExpressionParts(
  parts: ReadonlyArray<{ readonly join: ExpressionJoinKind; readonly text: string }>,
): ExprAst | undefined {
  let combined: ExprAst | undefined;
  for (const part of parts) {
    const ast = parseExpressionTolerant(part.text);
    if (combined === undefined) combined = ast;
    else {
      combined = {
        kind: part.join === 'or' ? 'or' : 'and',
        left: combined,
        right: ast,
        start: combined.start,
        end: ast.end,
      };
    }
  }
  return combined;
}
