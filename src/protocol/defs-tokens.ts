/**
 * Tokenising helpers for the defs text (ecflow-protocol.md §10; ecflow-protocol-5.17.md §6).
 *
 * ecFlow splits a line on white space and treats the first token starting with `#` as the start of
 * the state part. Values that may hold blanks or `#` (variables, labels, aviso/mirror options,
 * repeat lists) need the quote-aware variants below.
 *
 * Pure module: no Node or DOM types.
 */

/**
 * A copy of a substring that does not keep the whole text alive. V8 makes substrings of 13 or more
 * characters "sliced strings" that point into their parent: one abort reason kept in the model
 * would keep a 30 MB defs text in memory. Shorter substrings are copies already.
 */
export function own(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/**
 * Position of char code `c` in text[from, to), or -1. Searches stay inside one line: an unbounded
 * indexOf would scan the rest of a 30 MB text for every line that lacks the character.
 */
export function indexIn(text: string, c: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === c) return i;
  return -1;
}

/** Last position of char code `c` in text[from, to), or -1. */
export function lastIndexIn(text: string, c: number, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if (text.charCodeAt(i) === c) return i;
  return -1;
}

/** True for space and tab. */
export function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** Split text[start, end) on blanks. */
export function splitTokens(text: string, start: number, end: number): string[] {
  const out: string[] = [];
  let i = start;
  while (i < end) {
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (i >= end) break;
    const s = i;
    while (i < end && !isBlank(text.charCodeAt(i))) i++;
    out.push(own(text.slice(s, i)));
  }
  return out;
}

/**
 * Split text[start, end) on blanks, but keep a quoted run (`'…'` or `"…"`, starting a token) as one
 * token including its quotes. An unterminated quote runs to the end of the text.
 */
export function splitQuotedTokens(text: string, start: number, end: number): string[] {
  const out: string[] = [];
  let i = start;
  while (i < end) {
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (i >= end) break;
    const s = i;
    const c = text.charCodeAt(i);
    if (c === 39 || c === 34) {
      // the closing quote is one followed by a blank or the end
      let j = i + 1;
      for (;;) {
        const q = indexIn(text, c, j, end);
        if (q < 0) {
          j = end;
          break;
        }
        if (q + 1 >= end || isBlank(text.charCodeAt(q + 1))) {
          j = q + 1;
          break;
        }
        j = q + 1;
      }
      i = j;
      // a quoted run glued to more text (e.g. '"a"b') continues to the next blank
      while (i < end && !isBlank(text.charCodeAt(i))) i++;
    } else {
      while (i < end && !isBlank(text.charCodeAt(i))) i++;
    }
    out.push(own(text.slice(s, i)));
  }
  return out;
}

/** The definition tokens and the state tokens (after the first token starting with `#`). */
export interface SplitLine {
  def: string[];
  /** undefined when the line has no `#` part; the `#` itself is not included. */
  state: string[] | undefined;
}

/** Split tokens at the first one that starts with `#` (`#free` counts as `#` + `free`). */
export function splitAtComment(tokens: string[]): SplitLine {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.charCodeAt(0) === 35 /* # */) {
      const state = tokens.slice(i + 1);
      if (t.length > 1) state.unshift(t.slice(1));
      return { def: tokens.slice(0, i), state };
    }
  }
  return { def: tokens, state: undefined };
}

/** Remove one pair of surrounding quotes (both `"` or both `'`). */
export function unquote(s: string): string {
  if (s.length >= 2) {
    const c = s.charCodeAt(0);
    if ((c === 34 || c === 39) && s.charCodeAt(s.length - 1) === c) return s.slice(1, -1);
  }
  return s;
}

/** `\n` (backslash n) → newline, as ecFlow does for labels. */
export function unescapeNewlines(s: string): string {
  return s.includes('\\n') ? s.split('\\n').join('\n') : s;
}

/** Strict integer (optional sign, digits only); undefined otherwise. */
export function toInt(s: string | undefined): number | undefined {
  if (s === undefined || !/^[-+]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Position of the end of text[start, end) without trailing blanks. */
export function trimEnd(text: string, start: number, end: number): number {
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  return end;
}

/** Position of the first non-blank at or after `i` (at most `end`). */
export function skipBlanks(text: string, i: number, end: number): number {
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  return i;
}

/** Position of the first blank at or after `i` (at most `end`). */
export function skipWord(text: string, i: number, end: number): number {
  while (i < end && !isBlank(text.charCodeAt(i))) i++;
  return i;
}
