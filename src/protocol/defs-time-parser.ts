/**
 * Parsers for the time-related attribute lines of the defs text (ecflow-protocol.md §10.3):
 * `time`, `today`, `cron`, `date`, `day`, `late`, `autocancel`, `autoarchive`, and the suite-only
 * `clock`, `endclock` and `calendar` lines. Each takes the tokens of one line and returns a model
 * object or throws `LineError` (turned into a warning by the caller).
 *
 * Pure module: no Node or DOM types.
 */

import { AutoTimeAttr, Calendar, ClockAttr, LateAttr } from '../model/attributes.js';
import { CronAttr, DateAttr, DayAttr, TimeAttr, TimeSeries } from '../model/time-attributes.js';
import { DAY_NAMES } from '../model/types.js';
import { parseDuration, parseTimeSlot, parseUint } from '../model/time-format.js';
import { splitAtComment, toInt } from './defs-tokens.js';

/** A malformed line: the message becomes a warning and the line is kept raw. */
export class LineError extends Error {}

export function bad(message: string): never {
  throw new LineError(message);
}

/** `hh:mm` → minutes, or throw. */
export function slot(text: string | undefined, what: string): number {
  const m = text === undefined ? -1 : parseTimeSlot(text);
  if (m < 0) bad(`invalid ${what} time '${text ?? ''}'`);
  return m;
}

/** Parse `[+]hh:mm [hh:mm hh:mm]` starting at def[i]; returns the series. */
export function parseSeries(def: string[], i: number, state: string[] | undefined): TimeSeries {
  let startText = def[i];
  if (startText === undefined) bad('missing time');
  let relative = false;
  if (startText.charCodeAt(0) === 43 /* + */) {
    relative = true;
    startText = startText.slice(1);
  }
  const start = slot(startText, 'start');
  let finish = -1;
  let incr = -1;
  if (def.length > i + 1) {
    if (def.length < i + 3) bad('a time series needs start, finish and increment');
    finish = slot(def[i + 1], 'finish');
    incr = slot(def[i + 2], 'increment');
    if (def.length > i + 3) bad(`unexpected '${def[i + 3]}' after the time series`);
  }
  const ts = new TimeSeries(start, finish, incr, relative, start, 0, true);
  if (state !== undefined) {
    for (const t of state) {
      if (t === 'isValid:false') ts.isValid = false;
      else if (t.startsWith('nextTimeSlot/')) {
        const m = parseTimeSlot(t.slice(13));
        if (m < 0) bad(`invalid nextTimeSlot '${t}'`);
        ts.nextTimeSlot = m;
      } else if (t.startsWith('relativeDuration/')) {
        const d = parseDuration(t, 17, t.length);
        if (Number.isNaN(d)) bad(`invalid relativeDuration '${t}'`);
        ts.relativeDuration = d;
      }
    }
  }
  return ts;
}

/** `time …` / `today …` (tokens without the keyword). */
export function parseTime(tokens: string[], withState: boolean): TimeAttr {
  const { def, state } = splitAtComment(tokens);
  const st = withState ? state : undefined;
  const ts = parseSeries(def, 0, st);
  return new TimeAttr(ts, st !== undefined && st.includes('free'));
}

function numberList(text: string | undefined, what: string, allowL: boolean): { nums: number[]; last: number[]; L: boolean } {
  if (text === undefined || text === '') bad(`missing ${what} list`);
  const nums: number[] = [];
  const last: number[] = [];
  let L = false;
  for (const part of text.split(',')) {
    if (allowL && part === 'L') {
      L = true;
      continue;
    }
    if (allowL && part.length > 1 && part.endsWith('L')) {
      const n = parseUint(part, 0, part.length - 1);
      if (n < 0) bad(`invalid ${what} '${part}'`);
      last.push(n);
      continue;
    }
    const n = parseUint(part, 0, part.length);
    if (n < 0) bad(`invalid ${what} '${part}'`);
    nums.push(n);
  }
  return { nums, last, L };
}

/** `cron [-w …] [-d …] [-m …] series`. */
export function parseCron(tokens: string[], withState: boolean): CronAttr {
  const { def, state } = splitAtComment(tokens);
  const st = withState ? state : undefined;
  let weekDays: number[] = [];
  let lastWeekDays: number[] = [];
  let days: number[] = [];
  let months: number[] = [];
  let lastDay = false;
  let i = 0;
  while (i < def.length && def[i]!.charCodeAt(0) === 45 /* - */) {
    const opt = def[i]!;
    const val = def[i + 1];
    if (opt === '-w') {
      const r = numberList(val, 'week day', true);
      weekDays = r.nums;
      lastWeekDays = r.last;
      if (r.L) bad(`invalid week day 'L'`);
    } else if (opt === '-d') {
      const r = numberList(val, 'day of month', true);
      days = r.nums;
      lastDay = r.L;
      if (r.last.length > 0) bad('invalid day of month');
    } else if (opt === '-m') {
      months = numberList(val, 'month', false).nums;
    } else {
      bad(`unknown cron option '${opt}'`);
    }
    i += 2;
  }
  const ts = parseSeries(def, i, st);
  return new CronAttr(ts, weekDays, lastWeekDays, days, months, lastDay, st !== undefined && st.includes('free'));
}

/** `date dd.mm.yyyy` with `*` wildcards. */
export function parseDate(tokens: string[], withState: boolean): DateAttr {
  const { def, state } = splitAtComment(tokens);
  const text = def[0];
  if (text === undefined || def.length !== 1) bad('date expects one dd.mm.yyyy value');
  const parts = text.split('.');
  if (parts.length !== 3) bad(`invalid date '${text}'`);
  const v = parts.map((p) => (p === '*' ? 0 : parseUint(p, 0, p.length)));
  if (v.some((n) => n < 0)) bad(`invalid date '${text}'`);
  return new DateAttr(v[0]!, v[1]!, v[2]!, withState && state !== undefined && state.includes('free'));
}

/** `day monday [# free expired date:2024-Jan-01]`. */
export function parseDay(tokens: string[], withState: boolean): DayAttr {
  const { def, state } = splitAtComment(tokens);
  const name = def[0];
  const day = (DAY_NAMES as readonly string[]).indexOf(name ?? '');
  if (day < 0 || def.length !== 1) bad(`invalid day '${name ?? ''}'`);
  const attr = new DayAttr(day, false, false, '');
  if (withState && state !== undefined) {
    for (const t of state) {
      if (t === 'free') attr.free = true;
      else if (t === 'expired') attr.expired = true;
      else if (t.startsWith('date:')) attr.date = t === 'date:not-a-date-time' ? '' : t.slice(5);
    }
  }
  return attr;
}

/** `late [-s +hh:mm] [-a hh:mm] [-c [+]hh:mm] [# late]`. */
export function parseLate(tokens: string[], withState: boolean): LateAttr {
  const { def, state } = splitAtComment(tokens);
  const late = new LateAttr(-1, -1, -1, false, withState && state !== undefined && state.includes('late'));
  if (def.length === 0) bad('late without times');
  for (let i = 0; i < def.length; i += 2) {
    const opt = def[i]!;
    let val = def[i + 1];
    if (val === undefined) bad(`late option '${opt}' without time`);
    const plus = val.charCodeAt(0) === 43;
    if (plus) val = val.slice(1);
    if (opt === '-s') late.submitted = slot(val, 'late -s');
    else if (opt === '-a') late.active = slot(val, 'late -a');
    else if (opt === '-c') {
      late.complete = slot(val, 'late -c');
      late.completeRelative = plus;
    } else bad(`unknown late option '${opt}'`);
  }
  return late;
}

/** `autocancel +hh:mm | hh:mm | N` and `autoarchive … [-i]`. */
export function parseAutoTime(tokens: string[], allowIdle: boolean): AutoTimeAttr {
  const { def } = splitAtComment(tokens);
  let idle = false;
  const args = def.filter((t) => {
    if (allowIdle && t === '-i') {
      idle = true;
      return false;
    }
    return true;
  });
  const v = args[0];
  if (v === undefined || args.length !== 1) bad('expected one time or number of days');
  if (v.includes(':')) {
    const rel = v.charCodeAt(0) === 43;
    return new AutoTimeAttr(slot(rel ? v.slice(1) : v, 'auto'), rel, false, idle);
  }
  const days = parseUint(v, 0, v.length);
  if (days < 0) bad(`invalid number of days '${v}'`);
  return new AutoTimeAttr(days * 24 * 60, true, true, idle);
}

function clockDate(text: string, clock: ClockAttr): void {
  const p = text.split('.');
  const d = p.length === 3 ? p.map((x) => parseUint(x, 0, x.length)) : [];
  if (d.length !== 3 || d.some((n) => n < 0)) bad(`invalid clock date '${text}'`);
  clock.day = d[0]!;
  clock.month = d[1]!;
  clock.year = d[2]!;
}

function clockGain(text: string, clock: ClockAttr): void {
  const plus = text.charCodeAt(0) === 43;
  const g = toInt(plus ? text.slice(1) : text);
  if (g === undefined) bad(`invalid clock gain '${text}'`);
  clock.gain = g;
  clock.positiveGain = plus;
}

/** `clock real|hybrid [d.m.yyyy] [[+]gain]` (tokens without the keyword). */
export function parseClock(tokens: string[]): ClockAttr {
  const { def } = splitAtComment(tokens);
  const type = def[0];
  if (type !== 'real' && type !== 'hybrid') bad(`invalid clock type '${type ?? ''}'`);
  const clock = new ClockAttr(type === 'hybrid', 0, 0, 0, 0, false);
  let i = 1;
  if (def[i] !== undefined && def[i]!.includes('.')) clockDate(def[i++]!, clock);
  if (def[i] === '-s') i++; // obsolete option, ignored by ecFlow too
  if (def[i] !== undefined) clockGain(def[i++]!, clock);
  return clock;
}

/** `endclock [d.m.yyyy] [[+]gain]`. */
export function parseEndClock(tokens: string[]): ClockAttr {
  const { def } = splitAtComment(tokens);
  const clock = new ClockAttr(false, 0, 0, 0, 0, false);
  let i = 0;
  if (def[i] !== undefined && def[i]!.includes('.')) clockDate(def[i++]!, clock);
  if (def[i] !== undefined) clockGain(def[i++]!, clock);
  return clock;
}

const CALENDAR_KEYS = ['initTime:', 'suiteTime:', 'duration:', 'initLocalTime:', 'lastTime:', 'calendarIncrement:', 'dayChanged:'];

/** `calendar initTime:<ptime> suiteTime:<ptime> duration:<d> …` — ptimes contain a blank. */
export function parseCalendar(tokens: string[]): Calendar {
  const cal = new Calendar('', '', 0, '', '', 0, false);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const key = CALENDAR_KEYS.find((k) => t.startsWith(k));
    if (key === undefined) continue;
    let value = t.slice(key.length);
    const next = tokens[i + 1];
    const isPtime = key === 'initTime:' || key === 'suiteTime:' || key === 'initLocalTime:' || key === 'lastTime:';
    if (isPtime && next !== undefined && !CALENDAR_KEYS.some((k) => next.startsWith(k))) {
      value += ' ' + next;
      i++;
    }
    switch (key) {
      case 'initTime:':
        cal.initTime = value;
        break;
      case 'suiteTime:':
        cal.suiteTime = value;
        break;
      case 'initLocalTime:':
        cal.initLocalTime = value;
        break;
      case 'lastTime:':
        cal.lastTime = value;
        break;
      case 'duration:':
      case 'calendarIncrement:': {
        const d = parseDuration(value);
        if (Number.isNaN(d)) bad(`invalid calendar ${key} '${value}'`);
        if (key === 'duration:') cal.duration = d;
        else cal.increment = d;
        break;
      }
      case 'dayChanged:':
        cal.dayChanged = value === '1';
        break;
    }
  }
  if (cal.initTime === '') bad('calendar without initTime');
  return cal;
}
