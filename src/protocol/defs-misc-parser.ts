/**
 * Parsers for the attribute lines with their own small grammars (ecflow-protocol.md §10.3;
 * ecflow-protocol-5.17.md §6.1): `repeat` (all kinds incl. 5.17 datetime/datetimelist), `zombie`,
 * `verify`, `queue`, and the 5.13+ `aviso`/`mirror` option lists (quote-aware: the aviso listener
 * is single-quoted JSON that may contain blanks and `#`).
 *
 * Pure module: no Node or DOM types.
 */

import {
  AVISO_DEFAULTS,
  AvisoAttr,
  MIRROR_DEFAULTS,
  MirrorAttr,
  QueueAttr,
  VerifyAttr,
  ZombieAttr,
} from '../model/attributes.js';
import type { Node } from '../model/node.js';
import { Repeat } from '../model/repeat.js';
import { CHILD_CMD_NAMES, nstateFromName, ZOMBIE_ACTION_NAMES, ZOMBIE_TYPE_NAMES } from '../model/types.js';
import { parseDuration, parseInstant } from '../model/time-format.js';
import { own, skipBlanks, skipWord, splitAtComment, splitQuotedTokens, splitTokens, toInt, unquote } from './defs-tokens.js';
import { bad } from './defs-time-parser.js';
import type { AttrContext } from './defs-attr-parser.js';

/** Strict integer or LineError. */
export function intOf(text: string | undefined, what: string): number {
  const n = toInt(text);
  if (n === undefined) bad(`invalid ${what} '${text ?? ''}'`);
  return n;
}

export function parseRepeat(ctx: AttrContext, s: number, e: number): Repeat {
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

export function parseZombie(tokens: string[]): ZombieAttr {
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

export function parseVerify(tokens: string[], withState: boolean): VerifyAttr {
  const { def, state } = splitAtComment(tokens);
  const [st, expected] = (def[0] ?? '').split(':');
  const ns = nstateFromName(st ?? '');
  if (def.length !== 1 || ns === undefined) bad('verify expects state:count');
  const v = new VerifyAttr(ns, intOf(expected, 'verify count'), 0);
  if (withState && state !== undefined && state.length > 0) v.actual = intOf(state[0], 'verify actual');
  return v;
}

export function parseQueue(tokens: string[], withState: boolean): QueueAttr {
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

export function parseAviso(ctx: AttrContext, node: Node, s: number, e: number): AvisoAttr {
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

export function parseMirror(ctx: AttrContext, s: number, e: number): MirrorAttr {
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

