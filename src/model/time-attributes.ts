/**
 * Time-based node attributes (ecflow-protocol.md §8.2, §10.3): `time`, `today`, `date`, `day` and
 * `cron`, with the state ecFlow transmits for them (free, expired, isValid, nextTimeSlot,
 * relativeDuration, day date).
 *
 * Pure module: no Node or DOM types.
 */

import type { Minutes } from './time-format.js';

/**
 * A time series `[+]hh:mm [hh:mm hh:mm]` and its state. `finish`/`incr` are -1 for a single time;
 * `nextTimeSlot` equals `start` when not advanced; `relativeDuration` is in seconds.
 */
export class TimeSeries {
  constructor(
    public start: Minutes,
    public finish: Minutes,
    public incr: Minutes,
    public relative: boolean,
    public nextTimeSlot: Minutes,
    public relativeDuration: number,
    public isValid: boolean,
  ) {}

  /** Same definition (ignores the state), ecFlow's structureEquals. */
  sameDefinition(o: TimeSeries): boolean {
    return this.start === o.start && this.finish === o.finish && this.incr === o.incr && this.relative === o.relative;
  }
}

/** `time …` or `today …` (which one is given by the list that holds it). */
export class TimeAttr {
  constructor(
    public series: TimeSeries,
    public free: boolean,
  ) {}
}

/** `date dd.mm.yyyy` (0 = `*`). */
export class DateAttr {
  constructor(
    public day: number,
    public month: number,
    public year: number,
    public free: boolean,
  ) {}
}

/** `day monday` (0 = sunday); `date` is the boost date text (`2024-Jan-01`), '' = not-a-date-time. */
export class DayAttr {
  constructor(
    public day: number,
    public free: boolean,
    public expired: boolean,
    public date: string,
  ) {}
}

/**
 * `cron [-w days[,NL]] [-d days[,L]] [-m months] time-series`. `lastWeekDaysOfMonth` are the `NL`
 * entries, `lastDayOfMonth` the `L` entry of `-d`.
 */
export class CronAttr {
  constructor(
    public series: TimeSeries,
    public weekDays: number[],
    public lastWeekDaysOfMonth: number[],
    public daysOfMonth: number[],
    public months: number[],
    public lastDayOfMonth: boolean,
    public free: boolean,
  ) {}

  /** Same definition (ignores the state), ecFlow's structureEquals. */
  sameDefinition(o: CronAttr): boolean {
    return (
      this.series.sameDefinition(o.series) &&
      this.lastDayOfMonth === o.lastDayOfMonth &&
      sameNumbers(this.weekDays, o.weekDays) &&
      sameNumbers(this.lastWeekDaysOfMonth, o.lastWeekDaysOfMonth) &&
      sameNumbers(this.daysOfMonth, o.daysOfMonth) &&
      sameNumbers(this.months, o.months)
    );
  }
}

/** Element-wise equality of two number arrays. */
export function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
