/**
 * Time texts used by the defs format and by cereal (ecflow-protocol.md §2.3, §10.2–10.3;
 * ecflow-protocol-5.17.md §5.3, §6.1):
 *  - time slots `hh:mm` (stored as minutes, -1 = not set),
 *  - boost durations `HH:MM:SS[.ffffff]` (stored as seconds; hours may exceed 24, may be negative),
 *  - 5.17 instants `yyyymmddTHHMMSS` (stored as seconds since the epoch, UTC).
 *
 * Pure module: no Node or DOM types.
 */

/** Minutes of a `hh:mm` time slot; -1 stands for boost's NULL slot. */
export type Minutes = number;

/**
 * `hh:mm` as ecFlow's TimeSlot writes it (zero padded, NULL → `00:00`).
 *
 * @example formatTimeSlot(75) // '01:15'
 */
export function formatTimeSlot(minutes: Minutes): string {
  if (minutes < 0) return '00:00';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return (h < 10 ? '0' : '') + h + ':' + (m < 10 ? '0' : '') + m;
}

/**
 * Parse `hh:mm` (or `h:mm`, a leading `+` is not accepted here). Returns minutes or -1.
 *
 * @example parseTimeSlot('10:30') // 630
 */
export function parseTimeSlot(text: string): Minutes {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return -1;
  const h = parseUint(text, 0, colon);
  const m = parseUint(text, colon + 1, text.length);
  if (h < 0 || m < 0 || m > 59) return -1;
  return h * 60 + m;
}

/** Parse a non-negative decimal integer in text[start, end); -1 if empty or not digits. */
export function parseUint(text: string, start: number, end: number): number {
  if (start >= end) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * boost `to_simple_string(time_duration)`: `HH:MM:SS`, at least two hour digits, a leading `-` when
 * negative and `.ffffff` when there are fractional seconds.
 *
 * @example formatDuration(3725) // '01:02:05'
 */
export function formatDuration(seconds: number): string {
  let s = seconds;
  let sign = '';
  if (s < 0) {
    sign = '-';
    s = -s;
  }
  const whole = Math.floor(s);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const sec = whole % 60;
  let out = sign + (h < 10 ? '0' : '') + h + ':' + (m < 10 ? '0' : '') + m + ':' + (sec < 10 ? '0' : '') + sec;
  const frac = Math.round((s - whole) * 1e6);
  if (frac > 0) out += '.' + String(frac).padStart(6, '0');
  return out;
}

/**
 * Parse a boost duration `[-]H+:MM:SS[.f*]` found in text[start, end). Returns seconds, or NaN when
 * the text is not a duration (e.g. `not-a-date-time`).
 *
 * @example parseDuration('00:01:05', 0, 8) // 65
 */
export function parseDuration(text: string, start = 0, end = text.length): number {
  let i = start;
  let neg = false;
  if (i < end && text.charCodeAt(i) === 45 /* - */) {
    neg = true;
    i++;
  }
  let h = 0;
  let digits = 0;
  while (i < end) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    h = h * 10 + c;
    i++;
    digits++;
  }
  if (digits === 0 || i + 6 > end || text.charCodeAt(i) !== 58 || text.charCodeAt(i + 3) !== 58) return NaN;
  const m = parseUint(text, i + 1, i + 3);
  const s = parseUint(text, i + 4, i + 6);
  if (m < 0 || s < 0) return NaN;
  i += 6;
  let frac = 0;
  if (i < end) {
    if (text.charCodeAt(i) !== 46 /* . */) return NaN;
    const f = text.slice(i + 1, end);
    if (!/^[0-9]+$/.test(f)) return NaN;
    frac = Number('0.' + f);
  }
  const total = h * 3600 + m * 60 + s + frac;
  return neg ? -total : total;
}

/**
 * A 5.17 instant `yyyymmddTHHMMSS` (UTC) → seconds since the epoch; NaN when malformed.
 *
 * @example parseInstant('20240101T030000') // 1704078000
 */
export function parseInstant(text: string): number {
  if (text.length !== 15 || text.charCodeAt(8) !== 84 /* T */) return NaN;
  const y = parseUint(text, 0, 4);
  const mo = parseUint(text, 4, 6);
  const d = parseUint(text, 6, 8);
  const h = parseUint(text, 9, 11);
  const mi = parseUint(text, 11, 13);
  const s = parseUint(text, 13, 15);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) {
    return NaN;
  }
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
}

/**
 * Seconds since the epoch → `yyyymmddTHHMMSS` (UTC).
 *
 * @example formatInstant(1704078000) // '20240101T030000'
 */
export function formatInstant(seconds: number): string {
  const d = new Date(seconds * 1000);
  const p2 = (n: number): string => (n < 10 ? '0' : '') + n;
  return (
    String(d.getUTCFullYear()).padStart(4, '0') +
    p2(d.getUTCMonth() + 1) +
    p2(d.getUTCDate()) +
    'T' +
    p2(d.getUTCHours()) +
    p2(d.getUTCMinutes()) +
    p2(d.getUTCSeconds())
  );
}

/**
 * Convert a std::chrono count from cereal to seconds. Linux servers use nanoseconds; read the unit
 * defensively from the size of an instant (5.17 §5.3). `unitHint` is the divisor found for an
 * instant of the same repeat, so that durations use the same unit.
 */
export function chronoDivisor(instantCount: number): number {
  const a = Math.abs(instantCount);
  if (a >= 1e17) return 1e9;
  if (a >= 1e14) return 1e6;
  if (a >= 1e11) return 1e3;
  return 1;
}
