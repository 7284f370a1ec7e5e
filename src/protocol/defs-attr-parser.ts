/**
 * Parsers for node attribute lines of the defs text (ecflow-protocol.md §10.3, quirks §10.4;
 * ecflow-protocol-5.17.md §6.1–6.2: aviso, mirror, repeat datetime/datetimelist, variable values).
 *
 * `parseAttribute` adds the attribute of one line to a node. It returns false for a keyword it
 * does not know; a malformed line throws `LineError`. The caller turns both into a warning and
 * keeps the raw line on the node.
 *
 * Where ecFlow's own parser loses information we do better (§10.4 allows it):
 *  - variable values are the text between the first and the last quote (blanks and `#` kept);
 *  - label values are split at the first `" # "` after the opening quote, so a `#` or `"` inside
 *    the current value survives (ecFlow scans back to the last `#`);
 *  - repeat enumerated/string items and aviso/mirror options are read with a quote-aware tokenizer.
 *
 * Pure module: no Node or DOM types.
 */

import {
  AutoRestoreAttr,
  Event,
  EVENT_NO_NUMBER,
  Expression,
  ExpressionJoin,
  ExpressionPart,
  GenericAttr,
  InLimit,
  Label,
  Limit,
  Meter,
  Variable,
} from '../model/attributes.js';
import { Suite, type Node } from '../model/node.js';
import { dstateFromName } from '../model/types.js';
import {
  indexIn,
  lastIndexIn,
  own,
  skipBlanks,
  skipWord,
  splitAtComment,
  splitTokens,
  trimEnd,
  unescapeNewlines,
  unquote,
} from './defs-tokens.js';
import {
  bad,
  parseAutoTime,
  parseCalendar,
  parseClock,
  parseCron,
  parseDate,
  parseDay,
  parseEndClock,
  parseLate,
  parseTime,
} from './defs-time-parser.js';
import { intOf, parseAviso, parseMirror, parseQueue, parseRepeat, parseVerify, parseZombie } from './defs-misc-parser.js';

/** What an attribute parser needs from the line reader. */
export interface AttrContext {
  readonly text: string;
  /** False for plain definitions (DEFS style): state comments are ignored. */
  readonly withState: boolean;
  warn(message: string): void;
  /** The next physical line [start, end) for `\` continuations, or undefined at the end. */
  nextLine(): [number, number] | undefined;
}

/** A variable line split into name, value and the `# server` marker. */
export interface ParsedVariable {
  name: string;
  value: string;
  server: boolean;
}

/**
 * `edit NAME 'value' [# server]`, with `s` just after the keyword. The value is everything between
 * the first and the last quote (5.17 §6.2); an unquoted value is the tokens up to a `#`.
 */
export function parseVariable(ctx: AttrContext, s: number, e: number, allowServer: boolean): ParsedVariable {
  const text = ctx.text;
  const n0 = skipBlanks(text, s, e);
  const n1 = skipWord(text, n0, e);
  if (n0 === n1) bad('edit without a variable name');
  const name = own(text.slice(n0, n1));
  const v = skipBlanks(text, n1, e);
  let end = trimEnd(text, v, e);
  let server = false;
  if (allowServer && end - v > 8 && text.startsWith('# server', end - 8)) {
    const h = trimEnd(text, v, end - 8);
    if (h < end - 8) {
      server = true;
      end = h;
    }
  }
  if (v >= end) bad(`variable ${name} has no value`);
  const q = text.charCodeAt(v);
  if (q === 39 || q === 34) {
    const last = lastIndexIn(text, q, v + 1, end);
    if (last > v) return { name, value: own(text.slice(v + 1, last)), server };
    ctx.warn(`variable ${name}: unmatched quote, value taken up to the end of the line`);
    return { name, value: own(text.slice(v + 1, end)), server };
  }
  const { def } = splitAtComment(splitTokens(text, v, end));
  if (def.length === 0) bad(`variable ${name} has no value`);
  return { name, value: def.join(' '), server };
}

/** `label name "value" [# "current"]`, `s` just after the keyword. */
function parseLabel(ctx: AttrContext, s: number, e: number): Label {
  const text = ctx.text;
  const n0 = skipBlanks(text, s, e);
  const n1 = skipWord(text, n0, e);
  if (n0 === n1) bad('label without a name');
  const name = own(text.slice(n0, n1));
  const v = skipBlanks(text, n1, e);
  const end = trimEnd(text, v, e);
  if (v >= end) bad(`label ${name} has no value`);
  const q = text.charCodeAt(v);
  if ((q === 34 || q === 39) && end - v >= 2 && text.charCodeAt(end - 1) === 34) {
    if (ctx.withState) {
      // Search this line only: an unbounded indexOf scans the rest of the text for every label
      // without a current value (quadratic: minutes for 1M tasks).
      const i = text.slice(v + 1, end).indexOf('" # "');
      const sep = i < 0 ? -1 : v + 1 + i;
      if (q === 34 && sep > v && sep + 4 < end - 1) {
        return new Label(name, own(unescapeNewlines(text.slice(v + 1, sep))), own(unescapeNewlines(text.slice(sep + 5, end - 1))));
      }
    }
    if (text.charCodeAt(end - 1) === q) return new Label(name, own(unescapeNewlines(text.slice(v + 1, end - 1))), '');
  }
  // ecFlow's way: tokens up to a '#', quotes stripped; state = between the quotes after the last '#'
  const { def } = splitAtComment(splitTokens(text, v, end));
  const value = unescapeNewlines(unquote(def.join(' ')));
  let current = '';
  if (ctx.withState) {
    const hash = lastIndexIn(text, 35 /* # */, v, end);
    if (hash > v) {
      const first = indexIn(text, 34, hash, end);
      const last = lastIndexIn(text, 34, hash, end);
      if (first >= 0 && last > first) current = own(unescapeNewlines(text.slice(first + 1, last)));
    }
  }
  return new Label(name, value, current);
}

function parseMeter(tokens: string[], withState: boolean): Meter {
  const { def, state } = splitAtComment(tokens);
  if (def.length < 3 || def.length > 4) bad('meter expects name min max [colour-change]');
  const min = intOf(def[1], 'meter min');
  const max = intOf(def[2], 'meter max');
  const cc = def[3] === undefined ? max : intOf(def[3], 'meter colour change');
  const m = new Meter(def[0]!, min, max, cc, min);
  if (withState && state !== undefined && state.length > 0) m.value = intOf(state[0], 'meter value');
  return m;
}

function parseEvent(tokens: string[], withState: boolean): Event {
  const { def, state } = splitAtComment(tokens);
  if (def.length === 0) bad('event without name or number');
  let number = EVENT_NO_NUMBER;
  let name = '';
  let i = 0;
  const first = def[0]!;
  if (/^[0-9]+$/.test(first)) {
    number = intOf(first, 'event number');
    i = 1;
    if (def[1] !== undefined && def[1] !== 'set' && def[1] !== 'clear') {
      name = def[1];
      i = 2;
    } else if (def[1] === 'set' && def.length > 2) {
      name = 'set';
      i = 2;
    }
  } else {
    name = first;
    i = 1;
  }
  const initial = def[i] === 'set';
  const ev = new Event(number, name, initial, initial);
  if (withState && state !== undefined) {
    const last = state[state.length - 1];
    if (last === 'set') ev.value = true;
    else if (last === 'clear') ev.value = false;
  }
  return ev;
}

function parseLimit(tokens: string[], withState: boolean): Limit {
  const { def, state } = splitAtComment(tokens);
  if (def.length !== 2) bad('limit expects name and max');
  const limit = new Limit(def[0]!, intOf(def[1], 'limit max'), 0, []);
  if (withState && state !== undefined && state.length > 0) {
    limit.value = intOf(state[0], 'limit value');
    limit.paths = state.slice(1);
  }
  return limit;
}

function parseInLimit(tokens: string[], withState: boolean): InLimit {
  const { def, state } = splitAtComment(tokens);
  let nodeOnly = false;
  let submission = false;
  let i = 0;
  for (; i < def.length; i++) {
    if (def[i] === '-n') nodeOnly = true;
    else if (def[i] === '-s') submission = true;
    else break;
  }
  const ref = def[i];
  if (ref === undefined) bad('inlimit without a limit name');
  const colon = ref.lastIndexOf(':');
  const path = colon < 0 ? '' : ref.slice(0, colon);
  const name = colon < 0 ? ref : ref.slice(colon + 1);
  if (name === '') bad(`invalid inlimit '${ref}'`);
  const tokensNeeded = def[i + 1] === undefined ? 1 : intOf(def[i + 1], 'inlimit tokens');
  if (def.length > i + 2) bad(`unexpected '${def[i + 2]}' in inlimit`);
  const incremented = withState && state !== undefined && state.includes('incremented:1');
  return new InLimit(name, path, tokensNeeded, nodeOnly, submission, incremented);
}

/** `trigger`/`complete` line (with `-a`/`-o` and `\` continuations). */
function parseExpressionLine(ctx: AttrContext, node: Node, which: 'trigger' | 'complete', s: number, e: number): void {
  let tokens = splitTokens(ctx.text, s, e);
  let join: ExpressionJoin = ExpressionJoin.FIRST;
  if (tokens[0] === '-a') join = ExpressionJoin.AND;
  else if (tokens[0] === '-o') join = ExpressionJoin.OR;
  if (join !== ExpressionJoin.FIRST) tokens = tokens.slice(1);
  // backslash continuation (hand-written definitions)
  while (tokens.length > 0 && tokens[tokens.length - 1]!.endsWith('\\')) {
    const last = tokens.pop()!.slice(0, -1);
    if (last !== '') tokens.push(last);
    const next = ctx.nextLine();
    if (next === undefined) break;
    tokens = tokens.concat(splitTokens(ctx.text, next[0], next[1]));
  }
  const { def, state } = splitAtComment(tokens);
  if (def.length === 0) bad(`empty ${which} expression`);
  const free = ctx.withState && state !== undefined && state.includes('free');
  const attrs = node.attributes();
  const part = new ExpressionPart(def.join(' '), join);
  const existing = attrs[which];
  if (existing === undefined) {
    if (join !== ExpressionJoin.FIRST) ctx.warn(`${which} -a/-o without a first ${which} line`);
    attrs[which] = new Expression([part], free);
  } else {
    if (join === ExpressionJoin.FIRST) ctx.warn(`second ${which} line: joined with AND`);
    if (join === ExpressionJoin.FIRST) part.join = ExpressionJoin.AND;
    existing.parts.push(part);
    if (free) existing.free = true;
  }
}

function suiteOf(node: Node, keyword: string): Suite {
  if (!(node instanceof Suite)) bad(`${keyword} is only allowed on a suite`);
  return node;
}

/**
 * Parse one attribute line into `node`. `kw` is the keyword, `s` the position just after it and
 * `e` the end of the line. Returns false when the keyword is not an attribute keyword.
 *
 * @example parseAttribute(ctx, task, 'meter', s, e)
 */
export function parseAttribute(ctx: AttrContext, node: Node, kw: string, s: number, e: number): boolean {
  const text = ctx.text;
  const ws = ctx.withState;
  switch (kw) {
    case 'edit': {
      const v = parseVariable(ctx, s, e, false);
      node.addAttr('variables', new Variable(v.name, v.value));
      return true;
    }
    case 'label':
      node.addAttr('labels', parseLabel(ctx, s, e));
      return true;
    case 'meter':
      node.addAttr('meters', parseMeter(splitTokens(text, s, e), ws));
      return true;
    case 'event':
      node.addAttr('events', parseEvent(splitTokens(text, s, e), ws));
      return true;
    case 'limit':
      node.addAttr('limits', parseLimit(splitTokens(text, s, e), ws));
      return true;
    case 'inlimit':
      node.addAttr('inlimits', parseInLimit(splitTokens(text, s, e), ws));
      return true;
    case 'trigger':
    case 'complete':
      parseExpressionLine(ctx, node, kw, s, e);
      return true;
    case 'repeat':
      if (node.attrs?.repeat !== undefined) ctx.warn('second repeat on a node replaces the first');
      node.attributes().repeat = parseRepeat(ctx, s, e);
      return true;
    case 'defstatus': {
      const t = splitAtComment(splitTokens(text, s, e)).def;
      const d = dstateFromName(t[0] ?? '');
      if (d === undefined || t.length !== 1) bad(`invalid defstatus '${t.join(' ')}'`);
      node.defStatus = d;
      return true;
    }
    case 'late':
      node.attributes().late = parseLate(splitTokens(text, s, e), ws);
      return true;
    case 'time':
      node.addAttr('times', parseTime(splitTokens(text, s, e), ws));
      return true;
    case 'today':
      node.addAttr('todays', parseTime(splitTokens(text, s, e), ws));
      return true;
    case 'date':
      node.addAttr('dates', parseDate(splitTokens(text, s, e), ws));
      return true;
    case 'day':
      node.addAttr('days', parseDay(splitTokens(text, s, e), ws));
      return true;
    case 'cron':
      node.addAttr('crons', parseCron(splitTokens(text, s, e), ws));
      return true;
    case 'aviso':
      node.addAttr('avisos', parseAviso(ctx, node, s, e));
      return true;
    case 'mirror':
      node.addAttr('mirrors', parseMirror(ctx, s, e));
      return true;
    case 'autocancel':
      node.attributes().autoCancel = parseAutoTime(splitTokens(text, s, e), false);
      return true;
    case 'autoarchive':
      node.attributes().autoArchive = parseAutoTime(splitTokens(text, s, e), true);
      return true;
    case 'autorestore': {
      const paths = splitAtComment(splitTokens(text, s, e)).def;
      if (paths.length === 0) bad('autorestore without paths');
      node.attributes().autoRestore = new AutoRestoreAttr(paths);
      return true;
    }
    case 'zombie':
      node.addAttr('zombies', parseZombie(splitTokens(text, s, e)));
      return true;
    case 'verify':
      node.addAttr('verifies', parseVerify(splitTokens(text, s, e), ws));
      return true;
    case 'queue':
      node.addAttr('queues', parseQueue(splitTokens(text, s, e), ws));
      return true;
    case 'generic': {
      const t = splitAtComment(splitTokens(text, s, e)).def;
      if (t.length === 0) bad('generic without a name');
      node.addAttr('generics', new GenericAttr(t[0]!, t.slice(1)));
      return true;
    }
    case 'clock':
      suiteOf(node, kw).clock = parseClock(splitTokens(text, s, e));
      return true;
    case 'endclock':
      suiteOf(node, kw).endClock = parseEndClock(splitTokens(text, s, e));
      return true;
    case 'calendar':
      suiteOf(node, kw).calendar = parseCalendar(splitTokens(text, s, e));
      return true;
    default:
      return false;
  }
}
