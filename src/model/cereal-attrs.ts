/**
 * cereal attribute objects → model attributes (ecflow-protocol.md §8.2; ecflow-protocol-5.17.md
 * §5.2–5.3). Input is what `readCereal` produces (versions dropped, pointers unwrapped, base parts
 * merged). Every reader is lenient: a missing optional member takes ecFlow's default, a member of
 * the wrong type is treated as missing — nothing here throws.
 *
 * Pure module: no Node or DOM types.
 */

import {
  AutoRestoreAttr,
  AutoTimeAttr,
  AvisoAttr,
  Calendar,
  ClockAttr,
  Event,
  EVENT_NO_NUMBER,
  Expression,
  ExpressionPart,
  GenericAttr,
  InLimit,
  Label,
  LateAttr,
  Limit,
  Meter,
  MirrorAttr,
  QueueAttr,
  Variable,
  VerifyAttr,
  ZombieAttr,
  type ExpressionJoin,
} from './attributes.js';
import { CronAttr, DateAttr, DayAttr, TimeAttr, TimeSeries } from './time-attributes.js';
import { Repeat, type RepeatKind } from './repeat.js';
import { chronoDivisor, parseDuration } from './time-format.js';

export type CerealObj = { readonly [k: string]: unknown };

const EMPTY_OBJ: CerealObj = Object.freeze({});

/** The member as an object ({} when absent or not an object). */
export function obj(o: CerealObj, k: string): CerealObj {
  const v = o[k];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as CerealObj) : EMPTY_OBJ;
}
/** True when the member is present and an object. */
export function has(o: CerealObj, k: string): boolean {
  const v = o[k];
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
export function str(o: CerealObj, k: string, def = ''): string {
  const v = o[k];
  return typeof v === 'string' ? v : def;
}
export function num(o: CerealObj, k: string, def = 0): number {
  const v = o[k];
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return def;
}
export function bool(o: CerealObj, k: string, def = false): boolean {
  const v = o[k];
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return def;
}
export function arr(o: CerealObj, k: string): readonly unknown[] {
  const v = o[k];
  return Array.isArray(v) ? v : [];
}
/** Array member whose elements are objects. */
export function objs(o: CerealObj, k: string): CerealObj[] {
  return arr(o, k).filter((x): x is CerealObj => x !== null && typeof x === 'object' && !Array.isArray(x));
}
function strs(o: CerealObj, k: string): string[] {
  return arr(o, k).map((x) => (typeof x === 'string' ? x : String(x)));
}
function nums(o: CerealObj, k: string): number[] {
  return arr(o, k).map((x) => (typeof x === 'number' ? x : Number(x) || 0));
}

/** TimeSlot `{h_, m_}` → minutes (-1 when absent or NULL). */
export function timeSlot(o: CerealObj, k: string): number {
  if (!has(o, k)) return -1;
  const t = obj(o, k);
  const h = num(t, 'h_', -1);
  const m = num(t, 'm_', -1);
  return h < 0 || m < 0 ? -1 : h * 60 + m;
}
/** boost time_duration `{duration:"HH:MM:SS"}` → seconds. */
export function duration(o: CerealObj, k: string, def = 0): number {
  if (!has(o, k)) return def;
  const d = parseDuration(str(obj(o, k), 'duration'));
  return Number.isNaN(d) ? def : d;
}
/** boost ptime `{ptime:"…"}` → its text. */
export function ptime(o: CerealObj, k: string, def = ''): string {
  return has(o, k) ? str(obj(o, k), 'ptime', def) : def;
}

/**
 * Variable; a real newline in the value becomes the two characters `\n`, which is what the defs
 * text carries (ecFlow writes newlines as `\n` and does not unescape them when reading).
 */
export function variableFrom(o: CerealObj): Variable {
  const v = str(o, 'v_');
  return new Variable(str(o, 'n_'), v.includes('\n') ? v.split('\n').join('\\n') : v);
}
export const labelFrom = (o: CerealObj): Label => new Label(str(o, 'n_'), str(o, 'v_'), str(o, 'new_v_'));
export function meterFrom(o: CerealObj): Meter {
  const min = num(o, 'min_');
  const max = num(o, 'max_');
  return new Meter(str(o, 'n_'), min, max, num(o, 'cc_', max), num(o, 'v_', min));
}
export function eventFrom(o: CerealObj): Event {
  const number = num(o, 'number_', EVENT_NO_NUMBER);
  const initial = bool(o, 'iv_');
  return new Event(number === 2147483647 ? EVENT_NO_NUMBER : number, str(o, 'n_'), bool(o, 'v_'), initial);
}
export const limitFrom = (o: CerealObj): Limit => new Limit(str(o, 'n_'), num(o, 'lim_'), num(o, 'value_'), strs(o, 'paths_'));
export function inlimitFrom(o: CerealObj): InLimit {
  return new InLimit(
    str(o, 'n_'),
    str(o, 'path_'),
    num(o, 'tokens_', 1),
    bool(o, 'limit_this_node_only_'),
    bool(o, 'limit_submission_'),
    bool(o, 'incremented_'),
  );
}
export function expressionFrom(o: CerealObj): Expression {
  const parts = objs(o, 'vec_').map((p) => new ExpressionPart(str(p, 'exp_'), Math.min(2, Math.max(0, num(p, 'type_'))) as ExpressionJoin));
  return new Expression(parts, bool(o, 'free_'));
}
export function lateFrom(o: CerealObj): LateAttr {
  return new LateAttr(timeSlot(o, 's_'), timeSlot(o, 'a_'), timeSlot(o, 'c_'), bool(o, 'c_is_rel_'), bool(o, 'isLate_'));
}
export function seriesFrom(o: CerealObj): TimeSeries {
  const start = Math.max(0, timeSlot(o, 'start_'));
  const next = timeSlot(o, 'nextTimeSlot_');
  return new TimeSeries(
    start,
    timeSlot(o, 'finish_'),
    timeSlot(o, 'incr_'),
    bool(o, 'relativeToSuiteStart_'),
    next < 0 ? start : next,
    duration(o, 'relativeDuration_'),
    bool(o, 'isValid_', true),
  );
}
export const timeFrom = (o: CerealObj): TimeAttr => new TimeAttr(seriesFrom(obj(o, 'ts_')), bool(o, 'free_'));
export const dateFrom = (o: CerealObj): DateAttr =>
  new DateAttr(num(o, 'day_'), num(o, 'month_'), num(o, 'year_'), bool(o, 'free_'));
export function dayFrom(o: CerealObj): DayAttr {
  const date = has(o, 'date_') ? str(obj(o, 'date_'), 'date') : '';
  return new DayAttr(num(o, 'day_'), bool(o, 'free_'), bool(o, 'expired_'), date === 'not-a-date-time' ? '' : date);
}
export function cronFrom(o: CerealObj): CronAttr {
  return new CronAttr(
    seriesFrom(obj(o, 'timeSeries_')),
    nums(o, 'weekDays_'),
    nums(o, 'last_week_days_of_month_'),
    nums(o, 'daysOfMonth_'),
    nums(o, 'months_'),
    bool(o, 'last_day_of_month_'),
    bool(o, 'free_'),
  );
}
export const zombieFrom = (o: CerealObj): ZombieAttr =>
  new ZombieAttr(num(o, 'zombie_type_'), num(o, 'action_'), nums(o, 'child_cmds_'), num(o, 'zombie_lifetime_'));
export const verifyFrom = (o: CerealObj): VerifyAttr => new VerifyAttr(num(o, 'state_'), num(o, 'expected_'), num(o, 'actual_'));
export const queueFrom = (o: CerealObj): QueueAttr =>
  new QueueAttr(str(o, 'name_'), strs(o, 'theQueue_'), nums(o, 'state_vec_'), num(o, 'currentIndex_'));
export const genericFrom = (o: CerealObj): GenericAttr => new GenericAttr(str(o, 'name_'), strs(o, 'values_'));
export function autoTimeFrom(o: CerealObj): AutoTimeAttr {
  return new AutoTimeAttr(Math.max(0, timeSlot(o, 'time_')), bool(o, 'relative_', true), bool(o, 'days_'), bool(o, 'idle_'));
}
export const autoRestoreFrom = (o: CerealObj): AutoRestoreAttr => new AutoRestoreAttr(strs(o, 'nodes_to_restore_'));

/** std::chrono instant `{time_since_epoch:{count}}` → count. */
function chronoCount(o: CerealObj, k: string): number {
  const v = obj(o, k);
  return has(v, 'time_since_epoch') ? num(obj(v, 'time_since_epoch'), 'count') : num(v, 'count');
}

const REPEAT_KINDS: Readonly<Record<string, RepeatKind>> = {
  RepeatDate: 'date',
  RepeatInteger: 'integer',
  RepeatEnumerated: 'enumerated',
  RepeatString: 'string',
  RepeatDateList: 'datelist',
  RepeatDay: 'day',
  RepeatDateTime: 'datetime',
  RepeatDateTimeList: 'datetimelist',
};

/** `Repeat {type_: <polymorphic RepeatXxx>}` → Repeat; undefined for an unknown kind. */
export function repeatFrom(o: CerealObj): Repeat | undefined {
  const t = obj(o, 'type_');
  const kind = REPEAT_KINDS[str(t, '$type')];
  const name = str(t, 'name_');
  switch (kind) {
    case 'date':
    case 'integer': {
      const start = num(t, 'start_');
      return new Repeat(kind, name, start, num(t, 'end_'), num(t, 'delta_', 1), num(t, 'value_', start), undefined, undefined);
    }
    case 'enumerated':
    case 'string': {
      const items = strs(t, kind === 'enumerated' ? 'theEnums_' : 'theStrings_');
      return new Repeat(kind, name, 0, Math.max(0, items.length - 1), 1, num(t, 'currentIndex_'), items, undefined);
    }
    case 'datelist': {
      const items = nums(t, 'list_');
      return new Repeat(kind, name, 0, Math.max(0, items.length - 1), 1, num(t, 'currentIndex_'), undefined, items);
    }
    case 'day':
      return new Repeat(kind, name === '' ? 'day' : name, 0, 0, num(t, 'step_', 1), 0, undefined, undefined);
    case 'datetime': {
      const startCount = chronoCount(t, 'start_');
      const div = chronoDivisor(startCount);
      const sec = (c: number): number => Math.round(c / div);
      const start = sec(startCount);
      return new Repeat(kind, name, start, sec(chronoCount(t, 'end_')), sec(chronoCount(t, 'delta_')), has(t, 'value_') ? sec(chronoCount(t, 'value_')) : start, undefined, undefined);
    }
    case 'datetimelist': {
      const counts = arr(t, 'list_').map((x) => (x !== null && typeof x === 'object' ? chronoCount({ v: x }, 'v') : 0));
      const div = chronoDivisor(counts[0] ?? 0);
      const items = counts.map((c) => Math.round(c / div));
      return new Repeat(kind, name, 0, Math.max(0, items.length - 1), 1, num(t, 'currentIndex_'), undefined, items);
    }
    default:
      return undefined;
  }
}

/** Unnamed positional value `valueN` of 5.17 aviso/mirror lists. */
function pos(o: CerealObj, i: number): unknown {
  return o['value' + i];
}
const pstr = (o: CerealObj, i: number, def = ''): string => {
  const v = pos(o, i);
  return typeof v === 'string' ? v : v === undefined ? def : String(v);
};

/** AvisoAttr value list (9 values in 5.13–5.14, 10 from 5.15: decode by count). */
export function avisoFrom(o: CerealObj): AvisoAttr {
  const rev = pos(o, 8);
  return new AvisoAttr(
    pstr(o, 1),
    pstr(o, 2),
    pstr(o, 3),
    pstr(o, 4),
    pstr(o, 5),
    typeof rev === 'number' ? rev : Number(rev) || 0,
    pstr(o, 6),
    pstr(o, 7),
    pstr(o, 0),
    pstr(o, 9),
  );
}

/** MirrorAttr value list: name, remote_path, host, port, polling, ssl, auth, reason. */
export function mirrorFrom(o: CerealObj): MirrorAttr {
  const ssl = pos(o, 5);
  return new MirrorAttr(pstr(o, 0), pstr(o, 1), pstr(o, 2), pstr(o, 3), pstr(o, 4), ssl === true || ssl === 1, pstr(o, 6), pstr(o, 7));
}

export function clockFrom(o: CerealObj): ClockAttr {
  return new ClockAttr(bool(o, 'hybrid_'), num(o, 'day_'), num(o, 'month_'), num(o, 'year_'), num(o, 'gain_'), bool(o, 'positiveGain_'));
}

/** Calendar: optional ptimes default to initTime_, increment to one minute. */
export function calendarFrom(o: CerealObj): Calendar {
  const init = ptime(o, 'initTime_');
  return new Calendar(
    init,
    ptime(o, 'suiteTime_', init),
    duration(o, 'duration_'),
    ptime(o, 'initLocalTime_', init),
    ptime(o, 'lastTime_', init),
    duration(o, 'increment_', 60),
    bool(o, 'dayChanged_'),
  );
}

/**
 * Abort reason of a cereal Submittable in the form the defs text carries it: 5.17 servers keep
 * real newlines (5.9.2 kept the two characters `\n`), and the text writer turns newlines into
 * `\n` and `;` into a blank. Normalising here makes text and mementos agree.
 */
export function abortReasonFrom(o: CerealObj, k: string): string {
  const r = str(o, k);
  return r.includes('\n') || r.includes(';') ? r.split('\n').join('\\n').split(';').join(' ') : r;
}

/** Flag `{flag_: bitmask}` → bitmask. */
export const flagFrom = (o: CerealObj): number => num(o, 'flag_') >>> 0;
