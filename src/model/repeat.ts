/**
 * The `repeat` attribute (ecflow-protocol.md §8.2, §10.3; ecflow-protocol-5.17.md §5.3, §6.1).
 *
 * One class for all kinds, fields used per kind:
 * | kind | start / end / step | value | items |
 * |---|---|---|---|
 * | date | yyyymmdd ints, step in days | current yyyymmdd | – |
 * | integer | ints | current int | – |
 * | enumerated, string | – | current index | `strings` |
 * | datelist | – | current index | `numbers` (yyyymmdd) |
 * | day | step = day step | – | – |
 * | datetime | epoch seconds, step in seconds | current epoch seconds | – |
 * | datetimelist | – | current index | `numbers` (epoch seconds) |
 *
 * Pure module: no Node or DOM types.
 */

export const RepeatKind = {
  DATE: 'date',
  INTEGER: 'integer',
  ENUMERATED: 'enumerated',
  STRING: 'string',
  DATELIST: 'datelist',
  DAY: 'day',
  DATETIME: 'datetime',
  DATETIMELIST: 'datetimelist',
} as const;
export type RepeatKind = (typeof RepeatKind)[keyof typeof RepeatKind];

/** cereal polymorphic names of the repeat kinds. */
export const REPEAT_CEREAL_NAMES: Readonly<Record<RepeatKind, string>> = {
  date: 'RepeatDate',
  integer: 'RepeatInteger',
  enumerated: 'RepeatEnumerated',
  string: 'RepeatString',
  datelist: 'RepeatDateList',
  day: 'RepeatDay',
  datetime: 'RepeatDateTime',
  datetimelist: 'RepeatDateTimeList',
};

export class Repeat {
  constructor(
    public kind: RepeatKind,
    public name: string,
    public start: number,
    public end: number,
    public step: number,
    /** Current value (date, integer, datetime) or current index (lists). */
    public value: number,
    public strings: string[] | undefined,
    public numbers: number[] | undefined,
  ) {}

  /** True when `value` is an index into `strings`/`numbers`. */
  get isIndexed(): boolean {
    return this.strings !== undefined || this.numbers !== undefined;
  }

  /** The definition value where the repeat starts (first value or index 0). */
  get startValue(): number {
    return this.isIndexed ? 0 : this.start;
  }
}
