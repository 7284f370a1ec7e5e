/**
 * Parser of the ecFlow defs text: NET/MIGRATE/STATE text from DefsCmd and SSyncCmd, the node text
 * of SNodeCmd, and plain definitions (ecflow-protocol.md §10, quirks §10.4, flags §10.6;
 * ecflow-protocol-5.17.md §6: aviso, mirror, repeat datetime(list), `remote_error`, verbatim
 * variable values, duplicate variables, flat SNodeCmd text).
 *
 * Design: one pass over the text with indexOf/charCodeAt, no split of the whole text and no regular
 * expression on the hot path (node lines with their `# state:… dur:…` comments). Attribute lines
 * (a few percent of a big defs) go to defs-attr-parser.ts.
 *
 * Robustness: nothing in the text aborts the parse. An unknown keyword, a malformed attribute or a
 * misplaced line becomes a warning (with its line number) and, for attributes, is kept verbatim in
 * the node's `attrs.unknown`. With `strict: true` structural errors (e.g. `endfamily` without a
 * family) throw `EcflowError` with code DEFS_PARSE instead. Only EcflowError is ever thrown.
 *
 * Pure module: no Node or DOM types.
 */

import { EcflowError, ErrorCode } from '../errors.js';
import { Variable } from '../model/attributes.js';
import { Defs } from '../model/defs.js';
import { Alias, Family, NodeContainer, Suite, Task, type Node } from '../model/node.js';
import { flagBit, isKnownFlagName, NState, nstateFromName, SSTATE_NAMES, type SState } from '../model/types.js';
import { parseDuration, parseUint } from '../model/time-format.js';
import { parseAttribute, parseVariable, type AttrContext } from './defs-attr-parser.js';
import { LineError } from './defs-time-parser.js';
import { indexIn, isBlank, own, skipBlanks, skipWord, splitTokens, trimEnd } from './defs-tokens.js';

export interface ParseDefsOptions {
  /**
   * Style of the text. By default taken from the `defs_state` line; text without one is a plain
   * definition (DEFS: `#` comments after attributes are not read as state).
   */
  style?: 'DEFS' | 'STATE' | 'MIGRATE' | 'NET';
  /** Throw EcflowError(DEFS_PARSE) on structural errors instead of warning. Default false. */
  strict?: boolean;
  /** Keep at most this many warnings (default 1000); a final warning counts the dropped ones. */
  maxWarnings?: number;
}

export interface ParseDefsResult {
  defs: Defs;
  warnings: string[];
}

export interface ParseNodeResult {
  /** The node of the text (suite, family, task or alias), detached; undefined for empty text. */
  node: Node | undefined;
  warnings: string[];
}

/**
 * Parse a whole defs text (DefsCmd `value1`, SSyncCmd `value1`/`server_defs_`, a definition file).
 *
 * @example
 * const { defs, warnings } = parseDefs(reply.value1);
 * defs.findNode('/s1/f1/t1')?.state;
 */
export function parseDefs(text: string, options: ParseDefsOptions = {}): ParseDefsResult {
  const p = new DefsTextParser(text, options, false);
  p.run();
  return { defs: p.defs, warnings: p.finishWarnings() };
}

/**
 * Parse the text of one node (SNodeCmd `the_node_str_`, indented in 5.9.2, flat in 5.17).
 *
 * @example
 * const { node } = parseNodeText('task t1 # state:active\nlabel l "x"\n');
 */
export function parseNodeText(text: string, options: ParseDefsOptions = {}): ParseNodeResult {
  const p = new DefsTextParser(text, { style: 'MIGRATE', ...options }, true);
  p.run();
  return { node: p.root, warnings: p.finishWarnings() };
}

const NO_FLAGS = -1;

class DefsTextParser implements AttrContext {
  readonly defs = new Defs();
  withState: boolean;
  root: Node | undefined = undefined;

  private pos = 0;
  private lineNo = 0;
  private lineStart = 0;
  private lineEnd = 0;
  private readonly len: number;
  private readonly styleFixed: boolean;
  private seenContent = false;
  /** suite / family stack. */
  private containers: NodeContainer[] = [];
  /** Node that receives attribute lines; undefined at defs level. */
  private node: Node | undefined = undefined;
  private task: Task | undefined = undefined;
  private warningList: string[] = [];
  private dropped = 0;
  private readonly maxWarnings: number;
  private readonly flagCache = new Map<string, number>();
  /** Short node names seen before, by a key computed from their characters (see nodeName). */
  private readonly shortNames = new Map<number, string>();

  constructor(
    readonly text: string,
    private readonly options: ParseDefsOptions,
    private readonly nodeMode: boolean,
  ) {
    this.len = text.length;
    this.styleFixed = options.style !== undefined;
    this.withState = options.style !== 'DEFS';
    this.maxWarnings = options.maxWarnings ?? 1000;
  }

  warn(message: string): void {
    if (this.warningList.length >= this.maxWarnings) {
      this.dropped++;
      return;
    }
    let line = this.text.slice(this.lineStart, Math.min(this.lineEnd, this.lineStart + 160));
    if (this.lineEnd - this.lineStart > 160) line += '…';
    this.warningList.push(own(`line ${this.lineNo}: ${message}: ${line}`));
  }

  finishWarnings(): string[] {
    if (this.dropped > 0) this.warningList.push(`${this.dropped} more warnings not shown`);
    return this.warningList;
  }

  private structural(message: string): void {
    if (this.options.strict) {
      throw new EcflowError(ErrorCode.DEFS_PARSE, `defs text line ${this.lineNo}: ${message}`);
    }
    this.warn(message);
  }

  /** Advance to the next physical line; returns its [start, end) without CR and indentation. */
  nextLine(): [number, number] | undefined {
    return this.advance() ? [this.lineStart, this.lineEnd] : undefined;
  }

  /** Advance to the next physical line (lineStart/lineEnd); false at the end of the text. */
  private advance(): boolean {
    const text = this.text;
    if (this.pos >= this.len) return false;
    let eol = text.indexOf('\n', this.pos);
    if (eol < 0) eol = this.len;
    let end = eol;
    if (end > this.pos && text.charCodeAt(end - 1) === 13) end--;
    const start = skipBlanks(text, this.pos, end);
    this.pos = eol + 1;
    this.lineNo++;
    this.lineStart = start;
    this.lineEnd = end;
    return true;
  }

  run(): void {
    while (this.advance()) {
      if (this.lineStart < this.lineEnd) this.statement(this.lineStart, this.lineEnd);
    }
    if (!this.nodeMode && this.containers.length > 0) this.structural('missing endsuite at the end of the text');
  }

  private statement(s: number, e: number): void {
    const text = this.text;
    const c0 = text.charCodeAt(s);
    if (c0 === 35 /* # */) {
      this.comment(s, e);
      return;
    }
    const k = skipWord(text, s, e);
    // hot path: task lines of NET text
    if (k - s === 4 && c0 === 116 && this.withState && text.startsWith('task', s)) {
      this.openTask(k, e);
      return;
    }
    // plain definitions may hold several statements per line: `family f; task t1; task t2`
    if (!this.withState && indexIn(text, 59 /* ; */, s, e) >= 0 && this.multiStatement(s, e)) return;
    if (k - s === 4 && c0 === 116 && text.startsWith('task', s)) {
      this.openTask(k, e);
      return;
    }
    const kw = text.slice(s, k);
    switch (kw) {
      case 'family':
        this.openFamily(k, e);
        return;
      case 'endfamily':
        this.endFamily();
        return;
      case 'suite':
        this.openSuite(k, e);
        return;
      case 'endsuite':
        this.endSuite();
        return;
      case 'alias':
        this.openAlias(k, e);
        return;
      case 'endalias':
        if (this.task === undefined) this.structural('endalias outside a task');
        else this.node = this.task;
        return;
      case 'endtask':
        if (this.task === undefined) this.structural('endtask outside a task');
        this.task = undefined;
        this.node = this.containers[this.containers.length - 1];
        return;
      case 'defs_state':
        this.defsState(k, e);
        return;
      case 'history':
        this.history(k, e);
        return;
      case 'extern':
        this.decideStyle();
        (this.defs.externs ??= []).push(own(text.slice(skipBlanks(text, k, e), trimEnd(text, k, e))));
        return;
    }
    this.attribute(kw, s, k, e);
  }

  /** Plain definitions may hold several statements per line separated by `;`. */
  private multiStatement(s: number, e: number): boolean {
    const text = this.text;
    const first = text.slice(s, skipWord(text, s, e));
    if (first === 'label') return false;
    let end = indexIn(text, 35 /* # */, s, e);
    if (end < 0) end = e;
    const pieces: [number, number][] = [];
    let p = s;
    while (p < end) {
      let q = indexIn(text, 59 /* ; */, p, end);
      if (q < 0) q = end;
      const a = skipBlanks(text, p, q);
      const b = trimEnd(text, a, q);
      if (a < b) pieces.push([a, b]);
      p = q + 1;
    }
    if (pieces.length < 2) return false;
    if (first === 'edit' && pieces.some(([a]) => !text.startsWith('edit', a))) return false;
    for (const [a, b] of pieces) this.statement(a, b);
    return true;
  }

  private comment(s: number, e: number): void {
    const text = this.text;
    const c1 = text.charCodeAt(s + 1);
    if (!this.seenContent && this.defs.version === '' && c1 >= 48 && c1 <= 57) {
      this.defs.version = own(text.slice(s + 1, trimEnd(text, s, e)));
    }
    // '# enddef', '# server state: …' and generated '# edit …' lines of STATE style: nothing to keep
  }

  private decideStyle(): void {
    if (!this.seenContent) {
      this.seenContent = true;
      if (!this.styleFixed && !this.nodeMode) this.withState = false;
    }
  }

  private defsState(k: number, e: number): void {
    const tokens = splitTokens(this.text, k, e);
    const defs = this.defs;
    defs.style = tokens[0] ?? '';
    if (!this.seenContent) {
      this.seenContent = true;
      if (!this.styleFixed) this.withState = defs.style !== 'DEFS';
    }
    for (let i = 1; i < tokens.length; i++) {
      const t = tokens[i]!;
      const colon = t.indexOf(':');
      const key = colon < 0 ? t : t.slice(0, colon);
      const value = colon < 0 ? '' : t.slice(colon + 1);
      switch (key) {
        case 'state>': {
          const st = nstateFromName(value);
          if (st === undefined) this.warn(`unknown defs state '${value}'`);
          else defs.state = st;
          break;
        }
        case 'flag':
          defs.flags = this.flags(value);
          break;
        case 'state_change':
          defs.stateChange = this.number(value, key);
          break;
        case 'modify_change':
          defs.modifyChange = this.number(value, key);
          break;
        case 'cal_count':
          defs.calCount = this.number(value, key);
          break;
        case 'server_state': {
          const i2 = (SSTATE_NAMES as readonly string[]).indexOf(value);
          if (i2 < 0) this.warn(`unknown server state '${value}'`);
          else defs.serverState = i2 as SState;
          break;
        }
        default:
          this.warn(`unknown defs_state item '${t}'`);
      }
    }
  }

  private number(value: string, what: string): number {
    const n = parseUint(value, 0, value.length);
    if (n < 0) {
      this.warn(`invalid ${what} '${value}'`);
      return 0;
    }
    return n;
  }

  private history(k: number, e: number): void {
    const text = this.text;
    const p0 = skipBlanks(text, k, e);
    const p1 = skipWord(text, p0, e);
    if (p0 === p1) {
      this.warn('history without a path');
      return;
    }
    const path = own(text.slice(p0, p1));
    const messages = text
      .slice(p1, e)
      .split('\b')
      .slice(1)
      .filter((m) => m !== '')
      .map(own);
    const history = (this.defs.history ??= new Map());
    const list = history.get(path);
    if (list === undefined) history.set(path, messages);
    else list.push(...messages);
  }

  /** Position after the name read by nodeName. */
  private nameEnd = 0;

  /** Name of a node line ('' with a warning when missing); `nameEnd` is set to the position after it. */
  private nodeName(k: number, e: number, kind: string): string {
    const text = this.text;
    const a = skipBlanks(text, k, e);
    const b = skipWord(text, a, e);
    this.nameEnd = b;
    if (a === b) {
      this.structural(`${kind} without a name`);
      return '';
    }
    const n = b - a;
    if (n <= 7) {
      // short names (t1, fc, an, …) repeat in every family: look them up by a number made from
      // their characters, so that a repeated name costs neither a new string nor a string hash
      let key = 0;
      for (let i = a; i < b; i++) {
        const c = text.charCodeAt(i);
        if (c >= 128) return text.slice(a, b);
        key = key * 128 + c;
      }
      key = key * 8 + n;
      const known = this.shortNames.get(key);
      if (known !== undefined) return known;
      const name = text.slice(a, b);
      if (this.shortNames.size < 100000) this.shortNames.set(key, name);
      return name;
    }
    return n >= 13 ? own(text.slice(a, b)) : text.slice(a, b);
  }

  private openSuite(k: number, e: number): void {
    this.decideStyle();
    const nm = this.nodeName(k, e, 'suite');
    if (this.containers.length > 0) {
      this.structural('suite inside a suite (missing endsuite)');
      this.containers = [];
    }
    const suite = new Suite(nm);
    this.task = undefined;
    if (this.nodeMode) {
      if (this.root === undefined) this.root = suite;
      else this.structural('a second top-level node in a node text');
    } else if (nm !== '') {
      this.defs.addSuite(suite);
    }
    this.containers.push(suite);
    this.node = suite;
    if (nm !== '') this.nodeState(suite, this.nameEnd, e);
  }

  private endSuite(): void {
    const bottom = this.containers[0];
    if (!(bottom instanceof Suite)) {
      this.structural('endsuite without a suite');
      return;
    }
    if (this.containers.length > 1) this.structural('endsuite closes open families (missing endfamily)');
    this.containers = [];
    this.node = undefined;
    this.task = undefined;
  }

  /** The container for a new family/task, or undefined (then the node stays detached). */
  private parentContainer(kind: string): NodeContainer | undefined {
    const top = this.containers[this.containers.length - 1];
    if (top === undefined && !(this.nodeMode && this.root === undefined)) {
      this.structural(`${kind} outside a suite`);
    }
    return top;
  }

  private openFamily(k: number, e: number): void {
    this.decideStyle();
    const nm = this.nodeName(k, e, 'family');
    const family = new Family(nm);
    const parent = this.parentContainer('family');
    if (parent !== undefined && nm !== '') parent.addChild(family);
    else if (parent === undefined && this.nodeMode && this.root === undefined) this.root = family;
    this.containers.push(family);
    this.task = undefined;
    this.node = family;
    if (nm !== '') this.nodeState(family, this.nameEnd, e);
  }

  private endFamily(): void {
    const top = this.containers[this.containers.length - 1];
    if (!(top instanceof Family)) {
      this.structural('endfamily without a family');
      return;
    }
    this.containers.pop();
    this.task = undefined;
    this.node = this.containers[this.containers.length - 1];
  }

  private openTask(k: number, e: number): void {
    this.decideStyle();
    const nm = this.nodeName(k, e, 'task');
    const task = new Task(nm);
    const parent = this.parentContainer('task');
    if (parent !== undefined && nm !== '') parent.addChild(task);
    else if (parent === undefined && this.nodeMode && this.root === undefined) this.root = task;
    this.task = task;
    this.node = task;
    if (nm !== '') this.nodeState(task, this.nameEnd, e);
  }

  private openAlias(k: number, e: number): void {
    this.decideStyle();
    const nm = this.nodeName(k, e, 'alias');
    const alias = new Alias(nm);
    if (this.task !== undefined && nm !== '') this.task.addAlias(alias);
    else if (this.nodeMode && this.root === undefined) this.root = alias;
    else if (this.task === undefined) this.structural('alias outside a task');
    this.node = alias;
    if (nm !== '') this.nodeState(alias, this.nameEnd, e);
  }

  private attribute(kw: string, s: number, k: number, e: number): void {
    const text = this.text;
    const node = this.node;
    if (node === undefined) {
      this.decideStyle();
      if (kw === 'edit' && !this.nodeMode) {
        this.serverVariable(k, e);
        return;
      }
      this.warn(`unknown or misplaced line at defs level`);
      (this.defs.unknown ??= []).push(own(text.slice(s, e)));
      return;
    }
    try {
      if (parseAttribute(this, node, kw, k, e)) return;
      this.warn(`unknown keyword '${kw}' (kept as raw attribute)`);
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      this.warn(`${err.message} (kept as raw attribute)`);
    }
    node.addAttr('unknown', own(text.slice(s, e)));
  }

  private serverVariable(k: number, e: number): void {
    try {
      const v = parseVariable(this, k, e, true);
      const list = v.server ? this.defs.builtinServerVariables : this.defs.serverVariables;
      const existing = list.find((x) => x.name === v.name);
      if (existing !== undefined) existing.value = v.value;
      else list.push(new Variable(v.name, v.value));
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      this.warn(err.message);
    }
  }

  /** `# item item …` after a node name (§10.2). */
  private nodeState(node: Node, i: number, e: number): void {
    const text = this.text;
    i = skipBlanks(text, i, e);
    if (i >= e) return;
    if (text.charCodeAt(i) !== 35 /* # */) {
      this.warn(`unexpected text after the ${node.kind} name`);
      return;
    }
    if (!this.withState) return;
    i++;
    while (i < e) {
      while (i < e && isBlank(text.charCodeAt(i))) i++;
      if (i >= e) break;
      // fast path for the item every node line has: state:<name>
      if (text.charCodeAt(i) === 115 && text.charCodeAt(i + 5) === 58 && text.startsWith('state:', i)) {
        const len = stateLength(text, i + 6);
        const end = i + 6 + len;
        if (len > 0 && (end === e || isBlank(text.charCodeAt(end)))) {
          const st = stateAt(text, i + 6, end);
          if (st >= 0) {
            node.state = st as NState;
            i = end;
            continue;
          }
        }
      }
      let j = i;
      while (j < e && !isBlank(text.charCodeAt(j))) j++;
      switch (text.charCodeAt(i)) {
        case 115 /* s */:
          if (text.startsWith('state:', i)) {
            const st = stateAt(text, i + 6, j);
            if (st < 0) this.warn(`unknown state '${text.slice(i + 6, j)}'`);
            else node.state = st as NState;
          } else if (text.startsWith('suspended:', i)) {
            node.suspended = text.charCodeAt(i + 10) === 49;
          } else this.unknownItem(i, j);
          break;
        case 100 /* d */:
          if (text.startsWith('dur:', i)) node.dur = this.duration(i + 4, j);
          else this.unknownItem(i, j);
          break;
        case 102 /* f */:
          if (text.startsWith('flag:', i)) node.flags = this.flags(text.slice(i + 5, j));
          else this.unknownItem(i, j);
          break;
        case 114 /* r */:
          if (text.startsWith('rt:', i)) node.rt = this.duration(i + 3, j);
          else if (text.startsWith('rid:', i) && (node instanceof Task || node instanceof Alias)) node.rid = own(text.slice(i + 4, j));
          else this.unknownItem(i, j);
          break;
        case 112 /* p */:
          if (text.startsWith('passwd:', i) && (node instanceof Task || node instanceof Alias)) {
            node.jobsPassword = own(text.slice(i + 7, j));
          } else this.unknownItem(i, j);
          break;
        case 116 /* t */:
          if (text.startsWith('try:', i) && (node instanceof Task || node instanceof Alias)) {
            node.tryNo = this.duration2int(i + 4, j);
          } else this.unknownItem(i, j);
          break;
        case 97 /* a */:
          if (text.startsWith('abort<:', i) && (node instanceof Task || node instanceof Alias)) {
            // the reason may contain blanks: it ends at the last '>abort' of the line
            const found = text.slice(i + 7, e).lastIndexOf('>abort');
            let close = found < 0 ? -1 : i + 7 + found;
            if (close < 0) {
              this.warn('abort reason without >abort');
              close = e;
            }
            node.abortReason = own(text.slice(i + 7, close));
            j = Math.min(e, close + 6);
          } else if (text.startsWith('alias_no:', i) && node instanceof Task) {
            node.aliasNo = this.duration2int(i + 9, j);
          } else this.unknownItem(i, j);
          break;
        case 98 /* b */:
          if (text.startsWith('begun:', i) && node instanceof Suite) node.begun = text.charCodeAt(i + 6) === 49;
          else this.unknownItem(i, j);
          break;
        default:
          this.unknownItem(i, j);
      }
      i = j;
    }
  }

  private unknownItem(i: number, j: number): void {
    this.warn(`unknown state item '${this.text.slice(i, j)}' ignored`);
  }

  private duration(a: number, b: number): number {
    const d = parseDuration(this.text, a, b);
    if (Number.isNaN(d)) {
      this.warn(`invalid duration '${this.text.slice(a, b)}'`);
      return 0;
    }
    return d;
  }

  private duration2int(a: number, b: number): number {
    const n = parseUint(this.text, a, b);
    if (n < 0) {
      this.warn(`invalid number '${this.text.slice(a, b)}'`);
      return 0;
    }
    return n;
  }

  /** Comma separated flag names → bitmask (cached per distinct text). */
  private flags(value: string): number {
    const cached = this.flagCache.get(value);
    if (cached !== undefined) {
      if (cached === NO_FLAGS) return 0;
      return cached;
    }
    let mask = 0;
    for (const name of value.split(',')) {
      if (name === '') continue;
      const bit = flagBit(name);
      if (bit === undefined) {
        if (name !== 'migrated') this.warn(`unknown flag '${name}' ignored`);
        continue;
      }
      if (!isKnownFlagName(name)) this.warn(`unknown flag '${name}' kept`);
      mask = (mask | (1 << bit)) >>> 0;
    }
    this.flagCache.set(value, mask);
    return mask;
  }
}

/** Length of the state name starting at `a` judged by its first letters (0 when none). */
function stateLength(text: string, a: number): number {
  switch (text.charCodeAt(a)) {
    case 113: // queued
      return 6;
    case 99: // complete
      return 8;
    case 97: // active / aborted
      return text.charCodeAt(a + 1) === 99 ? 6 : 7;
    case 115: // submitted
      return 9;
    case 117: // unknown
      return 7;
    default:
      return 0;
  }
}

/** NState at text[a, b) (unknown complete queued aborted submitted active), -1 if none. */
function stateAt(text: string, a: number, b: number): number {
  const n = b - a;
  switch (text.charCodeAt(a)) {
    case 113:
      return n === 6 && text.startsWith('queued', a) ? NState.QUEUED : -1;
    case 99:
      return n === 8 && text.startsWith('complete', a) ? NState.COMPLETE : -1;
    case 97:
      if (n === 6 && text.startsWith('active', a)) return NState.ACTIVE;
      return n === 7 && text.startsWith('aborted', a) ? NState.ABORTED : -1;
    case 115:
      return n === 9 && text.startsWith('submitted', a) ? NState.SUBMITTED : -1;
    case 117:
      return n === 7 && text.startsWith('unknown', a) ? NState.UNKNOWN : -1;
    default:
      return -1;
  }
}
