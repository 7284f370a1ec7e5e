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
  AVISO_DEFAULTS,
  AvisoAttr,
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
  MIRROR_DEFAULTS,
  MirrorAttr,
  QueueAttr,
  Variable,
  VerifyAttr,
  ZombieAttr,
} from '../model/attributes.js';
import { Suite, type Node } from '../model/node.js';
import { Repeat } from '../model/repeat.js';
import {
  CHILD_CMD_NAMES,
  dstateFromName,
  nstateFromName,
  ZOMBIE_ACTION_NAMES,
  ZOMBIE_TYPE_NAMES,
} from '../model/types.js';
import { parseDuration, parseInstant } from '../model/time-format.js';
import {
  indexIn,
  lastIndexIn,
  own,
  skipBlanks,
  skipWord,
  splitAtComment,
  splitQuotedTokens,
  splitTokens,
  toInt,
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

function intOf(text: string | undefined, what: string): number {
  const n = toInt(text);
  if (n === undefined) bad(`invalid ${what} '${text ?? ''}'`);
  return n;
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

function parseRepeat(ctx: AttrContext, s: number, e: number): Repeat {
  const text = ctx.text;
  const kind0 = skipBlanks(text, s, e);
  const kind1 = skipWord(text, kind0, e);
  const kind = own(text.slice(kind0, kind1));
  const quoted = kind === 'enumerated' || kind === 'string' || kind === 'datelist' || kind === 'datetimelist';
  const tokens = quoted ? splitQuotedTokens(text, kind1, e) : splitTokens(text, kind1, e);
  const { def, state } = splitAtComment(tokens);
  const st = ctx.withState ? state : undefined;
  const name = def[0];
  if (name === undefined && kind !== 'day') bad('repeat without a variable name');
  const stateInt = (): number | undefined => (st !== undefined && st.length > 0 ? intOf(st[0], 'repeat value') : undefined);
  switch (kind) {
    case 'date':
    case 'integer': {
      if (def.length < 3 || def.length > 4) bad(`repeat ${kind} expects name start end [step]`);
      const start = intOf(def[1], 'repeat start');
      const r = new Repeat(kind, name!, start, intOf(def[2], 'repeat end'), def[3] === undefined ? 1 : intOf(def[3], 'repeat step'), start, undefined, undefined);
      r.value = stateInt() ?? start;
      return r;
    }
    case 'enumerated':
    case 'string': {
      const items = def.slice(1).map(unquote);
      if (items.length === 0) bad(`repeat ${kind} without values`);
      return new Repeat(kind, name!, 0, items.length - 1, 1, stateInt() ?? 0, items, undefined);
    }
    case 'datelist': {
      const items = def.slice(1).map((t) => intOf(unquote(t), 'repeat datelist date'));
      if (items.length === 0) bad('repeat datelist without dates');
      return new Repeat(kind, name!, 0, items.length - 1, 1, stateInt() ?? 0, undefined, items);
    }
    case 'day': {
      const step = def[0] === undefined ? 1 : intOf(def[0], 'repeat day step');
      return new Repeat(kind, 'day', 0, 0, step, 0, undefined, undefined);
    }
    case 'datetime': {
      if (def.length < 3 || def.length > 4) bad('repeat datetime expects name start end [step]');
      const start = instant(def[1]);
      const step = def[3] === undefined ? 86400 : stepDuration(def[3]);
      const r = new Repeat(kind, name!, start, instant(def[2]), step, start, undefined, undefined);
      if (st !== undefined && st.length > 0) r.value = instant(st[0]);
      return r;
    }
    case 'datetimelist': {
      const items = def.slice(1).map((t) => instant(unquote(t)));
      if (items.length === 0) bad('repeat datetimelist without values');
      return new Repeat(kind, name!, 0, items.length - 1, 1, stateInt() ?? 0, undefined, items);
    }
    default:
      return bad(`unknown repeat kind '${kind}'`);
  }
}

function instant(t: string | undefined): number {
  const v = t === undefined ? NaN : parseInstant(t);
  if (Number.isNaN(v)) bad(`invalid date-time '${t ?? ''}'`);
  return v;
}

/** `HH[:MM[:SS]]` step of repeat datetime. */
function stepDuration(t: string): number {
  const parts = t.split(':');
  if (parts.length > 3 || parts.some((p) => !/^[0-9]+$/.test(p))) {
    const d = parseDuration(t);
    if (Number.isNaN(d)) bad(`invalid repeat step '${t}'`);
    return d;
  }
  return Number(parts[0]) * 3600 + Number(parts[1] ?? 0) * 60 + Number(parts[2] ?? 0);
}

function parseZombie(tokens: string[]): ZombieAttr {
  const { def } = splitAtComment(tokens);
  const parts = (def[0] ?? '').split(':');
  if (def.length !== 1 || parts.length < 2 || parts.length > 4) bad('zombie expects type:action:child_cmds:lifetime');
  const type = (ZOMBIE_TYPE_NAMES as readonly string[]).indexOf(parts[0]!);
  const action = (ZOMBIE_ACTION_NAMES as readonly string[]).indexOf(parts[1]!);
  if (type < 0) bad(`invalid zombie type '${parts[0]!}'`);
  if (action < 0) bad(`invalid zombie action '${parts[1]!}'`);
  const cmds: number[] = [];
  for (const c of (parts[2] ?? '').split(',')) {
    if (c === '') continue;
    const k = (CHILD_CMD_NAMES as readonly string[]).indexOf(c);
    if (k < 0) bad(`invalid zombie child command '${c}'`);
    cmds.push(k);
  }
  const lifetime = parts[3] === undefined || parts[3] === '' ? 0 : intOf(parts[3], 'zombie lifetime');
  return new ZombieAttr(type, action, cmds, lifetime);
}

function parseVerify(tokens: string[], withState: boolean): VerifyAttr {
  const { def, state } = splitAtComment(tokens);
  const [st, expected] = (def[0] ?? '').split(':');
  const ns = nstateFromName(st ?? '');
  if (def.length !== 1 || ns === undefined) bad('verify expects state:count');
  const v = new VerifyAttr(ns, intOf(expected, 'verify count'), 0);
  if (withState && state !== undefined && state.length > 0) v.actual = intOf(state[0], 'verify actual');
  return v;
}

function parseQueue(tokens: string[], withState: boolean): QueueAttr {
  const { def, state } = splitAtComment(tokens);
  if (def.length < 2) bad('queue expects a name and at least one item');
  const items = def.slice(1);
  const q = new QueueAttr(def[0]!, items, items.map(() => 2 /* queued */), 0);
  if (withState && state !== undefined && state.length > 0) {
    q.index = intOf(state[0], 'queue index');
    const states = state.slice(1).map((n) => nstateFromName(n));
    if (states.length === items.length && states.every((x) => x !== undefined)) q.states = states as number[];
    else if (states.length > 0) bad('queue states do not match the items');
  }
  return q;
}

/** `--opt value` / `--opt=value` pairs of aviso and mirror lines (values keep their quotes). */
function options(ctx: AttrContext, s: number, e: number, flags: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const tokens = splitQuotedTokens(ctx.text, s, e);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!t.startsWith('--')) bad(`unexpected '${t}'`);
    const eq = t.indexOf('=');
    if (eq > 0) out.set(t.slice(2, eq), t.slice(eq + 1));
    else if (flags.includes(t.slice(2))) out.set(t.slice(2), '');
    else {
      const v = tokens[i + 1];
      if (v === undefined) bad(`option ${t} without a value`);
      out.set(t.slice(2), v);
      i++;
    }
  }
  return out;
}

function parseAviso(ctx: AttrContext, node: Node, s: number, e: number): AvisoAttr {
  const o = options(ctx, s, e, []);
  const name = o.get('name');
  const listener = o.get('listener');
  if (name === undefined || listener === undefined) bad('aviso needs --name and --listener');
  const revision = o.has('revision') ? intOf(o.get('revision'), 'aviso revision') : 0;
  return new AvisoAttr(
    name,
    listener,
    o.get('url') ?? AVISO_DEFAULTS.url,
    o.get('schema') ?? AVISO_DEFAULTS.schema,
    o.get('polling') ?? AVISO_DEFAULTS.polling,
    revision,
    o.get('auth') ?? AVISO_DEFAULTS.auth,
    o.get('reason') ?? '',
    node.path,
    '',
  );
}

function parseMirror(ctx: AttrContext, s: number, e: number): MirrorAttr {
  const o = options(ctx, s, e, ['ssl']);
  const name = o.get('name');
  const remotePath = o.get('remote_path');
  if (name === undefined || remotePath === undefined) bad('mirror needs --name and --remote_path');
  return new MirrorAttr(
    name,
    remotePath,
    o.get('remote_host') ?? MIRROR_DEFAULTS.remoteHost,
    o.get('remote_port') ?? MIRROR_DEFAULTS.remotePort,
    o.get('polling') ?? MIRROR_DEFAULTS.polling,
    o.has('ssl'),
    o.get('remote_auth') ?? MIRROR_DEFAULTS.auth,
    o.get('reason') ?? '',
  );
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
