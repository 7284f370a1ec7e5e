/**
 * The time-based reasons of "why" (ecFlow TimeAttr, TodayAttr, DayAttr, DateAttr and CronAttr
 * `why`, 5.9.2): texts character for character like ecflow_client, computed from the suite
 * calendar (suite time of the last sync) and the state the server sends for each attribute (free,
 * expired, isValid, nextTimeSlot, relativeDuration, day date).
 *
 * Where ecFlow's own "next run" date is wrong (date attributes, `cron -w`), the text keeps it and
 * `dateDetails` / `cronDetails` give the right day.
 *
 * Pure module: no Node or DOM types.
 */

import type { Calendar } from './attributes.js';
import { parsePtime } from './expression-model.js';
import type { CronAttr, DateAttr, DayAttr, TimeAttr, TimeSeries } from './time-attributes.js';
import { DAY_NAMES } from './types.js';

export interface Cal {
  year: number;
  month: number;
  day: number;
  /** Minutes since midnight (suite time). */
  minutes: number;
  /** Day of week, 0 = sunday. */
  dow: number;
}

export function calendarOf(c: Calendar): Cal | undefined {
  const t = parsePtime(c.suiteTime);
  if (t === undefined) return undefined;
  const dow = new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay();
  return { year: t.year, month: t.month, day: t.day, minutes: t.hour * 60 + t.minute, dow };
}

const MONTH_ABBR = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Ymd {
  y: number;
  m: number;
  d: number;
}

function addDays(date: Ymd, n: number): Ymd {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}
function dowOf(date: Ymd): number {
  return new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay();
}
function isEndOfMonth(date: Ymd): boolean {
  return addDays(date, 1).d === 1;
}
/** boost `to_simple_string(date)`: `2026-Nov-29`. */
function dateText(date: Ymd): string {
  return `${date.y}-${MONTH_ABBR[date.m - 1]}-${String(date.d).padStart(2, '0')}`;
}
function today(c: Cal): Ymd {
  return { y: c.year, m: c.month, d: c.day };
}
function slotText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

function hasIncrement(ts: TimeSeries): boolean {
  return ts.finish >= 0 && ts.incr > 0;
}
/** Current time for the series, in minutes: relative duration or suite time of day. */
function seriesNow(ts: TimeSeries, c: Cal): number {
  return ts.relative ? Math.floor(ts.relativeDuration / 60) : c.minutes;
}
function seriesFree(ts: TimeSeries, c: Cal): boolean {
  if (!ts.isValid) return false;
  const now = seriesNow(ts, c);
  if (!hasIncrement(ts)) return now === ts.start;
  for (let t = ts.nextTimeSlot; t <= ts.finish; t += ts.incr) if (t === now) return true;
  return false;
}
function nextSlot(ts: TimeSeries, c: Cal): number | undefined {
  const now = seriesNow(ts, c);
  if (!hasIncrement(ts)) return now >= ts.start ? undefined : ts.start;
  let t = ts.start;
  while (now >= t) t += ts.incr;
  return t > ts.finish ? undefined : t;
}
function requeueable(ts: TimeSeries, c: Cal): boolean {
  const now = seriesNow(ts, c);
  return now < ts.start || (hasIncrement(ts) && now < ts.finish);
}
function seriesText(ts: TimeSeries): string {
  let s = (ts.relative ? '+' : '') + slotText(ts.start);
  if (hasIncrement(ts)) s += ` ${slotText(ts.finish)} ${slotText(ts.incr)}`;
  return s;
}
/** TimeSeries::why */
function seriesWhy(ts: TimeSeries, c: Cal): string {
  const plus = ts.relative ? '+' : '';
  return ` ( next run time is ${plus}${slotText(ts.nextTimeSlot)}, current suite time is ${plus}${slotText(seriesNow(ts, c))} )`;
}

function dayNextDate(day: DayAttr, c: Cal): Ymd {
  let d = today(c);
  for (let i = 0; i < 7; i++) {
    d = addDays(d, 1);
    if (dowOf(d) === day.day) return d;
  }
  return today(c);
}

/** ecFlow DateAttr::next_matching_date, including its sticky match flags. */
function dateNextDate(date: DateAttr, c: Cal): Ymd {
  let d = today(c);
  let dayOk = date.day === 0;
  let monthOk = date.month === 0;
  let yearOk = date.year === 0;
  for (let i = 0; i < 365; i++) {
    d = addDays(d, 1);
    if (date.day !== 0 && d.d === date.day) dayOk = true;
    if (date.month !== 0 && d.m === date.month) monthOk = true;
    if (date.year !== 0 && d.y === date.year) yearOk = true;
    if (dayOk && monthOk && yearOk) return d;
  }
  return today(c);
}

/**
 * ecFlow's "next run on" for a date can be wrong (its search sticks to partial matches and gives
 * up after a year); say which day really matches next.
 */
export function dateDetails(date: DateAttr, c: Cal): string[] {
  const wrong = dateText(dateNextDate(date, c));
  let d = today(c);
  for (let i = 0; i < 366 * 200; i++) {
    d = addDays(d, 1);
    if ((date.day === 0 || d.d === date.day) && (date.month === 0 || d.m === date.month) && (date.year === 0 || d.y === date.year)) {
      return dateText(d) === wrong ? [] : [`the next matching day is ${DAY_NAMES[dowOf(d)]} ${dateText(d)}`];
    }
    if (date.year !== 0 && d.y > date.year) break;
  }
  return ['no day matches any more'];
}

export function cronDetails(cron: CronAttr, c: Cal): string[] {
  let wrong = addDays(today(c), 1);
  for (let i = 0; i < 3000 && !cronNextDateMatches(cron, wrong); i++) wrong = addDays(wrong, 1);
  let d = addDays(today(c), 1);
  for (let i = 0; i < 3000 && !cronDayMatches(cron, d); i++) d = addDays(d, 1);
  return dateText(d) === dateText(wrong) ? [] : [`the next matching day is ${DAY_NAMES[dowOf(d)]} ${dateText(d)}`];
}

export function dayWhy(day: DayAttr, c: Cal): string | undefined {
  if (!day.expired && (day.free || dateText(today(c)) === day.date)) return undefined;
  const next = day.date !== '' ? day.date : dateText(dayNextDate(day, c));
  return ` is day dependent ( next run on ${DAY_NAMES[day.day]} ${next} the current day is ${DAY_NAMES[c.dow]} )`;
}

export function dateWhy(date: DateAttr, c: Cal): string | undefined {
  if (date.free) return undefined;
  const matches =
    (date.day === 0 || c.day === date.day) && (date.month === 0 || c.month === date.month) && (date.year === 0 || c.year === date.year);
  if (matches) return undefined;
  return ` is date dependent ( next run on ${dateText(dateNextDate(date, c))} the current date is ${c.day}/${c.month}/${c.year} )`;
}

export function timeWhy(t: TimeAttr, c: Cal, days: readonly DayAttr[], dates: readonly DateAttr[], isToday: boolean): string | undefined {
  const ts = t.series;
  if (t.free) return undefined;
  if (isToday && !hasIncrement(ts) && seriesNow(ts, c) > ts.start) return undefined;
  if (seriesFree(ts, c)) return undefined;
  let s = `is ${isToday ? 'today' : 'time'} `;
  if (days.length > 0) s += 'and day ';
  if (dates.length > 0) s += 'and date ';
  s += 'dependent';
  if (ts.isValid) {
    const now = seriesNow(ts, c);
    if (now < ts.start || (hasIncrement(ts) && now < ts.finish)) return s + seriesWhy(ts, c);
  }
  s += ` ( '${isToday ? 'today' : 'time'} ${seriesText(ts)}' has expired,`;
  if (requeueable(ts, c)) {
    const next = nextSlot(ts, c);
    if (next === undefined || !hasIncrement(ts)) s += ' *re-queue* to run at this time';
    else s += (isToday ? ' *re-queue* to run at' : ' *re-queue* to run at ') + slotText(next);
  } else if (ts.relative) {
    s += ' please *re-queue*, to reset the relative duration';
  } else {
    let min: Ymd | undefined;
    if (days.length > 0 || dates.length > 0) {
      const candidates = [...days.map((d) => dayNextDate(d, c)), ...dates.map((d) => dateNextDate(d, c))];
      for (const x of candidates) if (min === undefined || before(x, min)) min = x;
      s += ' next run at ';
    } else {
      min = addDays(today(c), 1);
      s += ' next run tomorrow at ';
    }
    s += `${slotText(ts.start)} ${dateText(min!)}`;
  }
  return s + ' )';
}

function before(a: Ymd, b: Ymd): boolean {
  return a.y !== b.y ? a.y < b.y : a.m !== b.m ? a.m < b.m : a.d < b.d;
}

function cronDayMatches(cron: CronAttr, d: Ymd): boolean {
  let week = cron.weekDays.length === 0 && cron.lastWeekDaysOfMonth.length === 0;
  const dow = dowOf(d);
  if (cron.weekDays.length > 0) week = cron.weekDays.includes(dow);
  if (!week && cron.lastWeekDaysOfMonth.length > 0) {
    const end = new Date(Date.UTC(d.y, d.m, 0)).getUTCDate();
    week = cron.lastWeekDaysOfMonth.includes(dow) && end - d.d < 7;
  }
  let dom = cron.daysOfMonth.length === 0;
  if (cron.daysOfMonth.length > 0 || cron.lastDayOfMonth) {
    dom = cron.daysOfMonth.includes(d.d) || (cron.lastDayOfMonth && isEndOfMonth(d));
  }
  const month = cron.months.length === 0 || cron.months.includes(d.m);
  return week && dom && month;
}

/**
 * The day test of ecFlow's CronAttr::next_date, kept as it is: with no `NL` week days the week-day
 * condition always holds (so `cron -w 1 10:00` is reported for tomorrow whatever day that is), and
 * an `NL` entry matches that week day anywhere in the month.
 */
function cronNextDateMatches(cron: CronAttr, d: Ymd): boolean {
  const dow = dowOf(d);
  const week = cron.weekDays.length === 0 || cron.weekDays.includes(dow);
  const lastWeek = cron.lastWeekDaysOfMonth.length === 0 || cron.lastWeekDaysOfMonth.includes(dow);
  let dom = cron.daysOfMonth.length === 0 && !cron.lastDayOfMonth;
  if (cron.daysOfMonth.length > 0 || cron.lastDayOfMonth) {
    dom = cron.daysOfMonth.includes(d.d) || (cron.lastDayOfMonth && isEndOfMonth(d));
  }
  const month = cron.months.length === 0 || cron.months.includes(d.m);
  return (week || lastWeek) && dom && month;
}

export function cronWhy(cron: CronAttr, c: Cal): string | undefined {
  const ts = cron.series;
  if (cron.free) return undefined;
  const dayOk = cronDayMatches(cron, today(c));
  if (seriesFree(ts, c) && dayOk) return undefined;
  let s = 'is cron dependent';
  if (dayOk && ts.isValid) {
    const now = seriesNow(ts, c);
    if (now < ts.start || (hasIncrement(ts) && now < ts.finish)) return s + seriesWhy(ts, c);
  }
  if (requeueable(ts, c) && cron.weekDays.length === 0 && cron.daysOfMonth.length === 0 && cron.months.length === 0) {
    const next = nextSlot(ts, c);
    s += next === undefined ? ' ( *re-queue* to run at this time ' : ` ( *re-queue* to run at ${slotText(next)}`;
    s += ', otherwise next run is at ';
  } else {
    s += ' ( next run is at ';
  }
  let d = addDays(today(c), 1);
  for (let i = 0; i < 3000 && !cronNextDateMatches(cron, d); i++) d = addDays(d, 1);
  s += `${slotText(ts.start)} ${dateText(d)}, current time ${ts.relative ? '+' : ''}${slotText(seriesNow(ts, c))} ${dateText(today(c))} )`;
  return s;
}
