/**
 * Where each key of a TOML document is: key path → 1-based line, so that a config mistake found
 * after parsing (unknown key, wrong type, unknown route) can be reported with file:line.
 *
 * smol-toml gives values only, so this is a small structural scanner of its own. It expects a
 * document the parser has already accepted; on anything else it still terminates and never throws
 * (unknown paths fall back to the nearest known ancestor, then line 1).
 *
 * Recorded: table headers (`[a.b]` → a.b and, if new, a), array tables (`[[a]]` → a.<index>),
 * keys (dotted keys and keys of inline tables, with all their implicit parents), and array
 * elements (path + index, at the element's own line).
 */

/** A path into the parsed document: table keys and array indices. */
export type KeyPath = readonly (string | number)[];

const BARE_KEY = /[A-Za-z0-9_-]/;

/**
 * @example
 * const at = new KeyLocator('[servers.op]\nhost = "m"\n');
 * at.line(['servers', 'op', 'host']);   // 2
 * at.line(['servers', 'op', 'port']);   // 1 (not there: its table's line)
 */
export class KeyLocator {
  private readonly lines = new Map<string, number>();
  private readonly newlines: number[] = [];
  private readonly text: string;
  private pos = 0;

  constructor(text: string) {
    this.text = text;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.newlines.push(i);
    try {
      this.scanDocument();
    } catch {
      // best effort: whatever was recorded stays usable
    }
  }

  /** The line of `path`, else of its nearest recorded ancestor, else 1. */
  line(path: KeyPath): number {
    for (let n = path.length; n > 0; n--) {
      const line = this.lines.get(JSON.stringify(path.slice(0, n)));
      if (line !== undefined) return line;
    }
    return 1;
  }

  /** The line of exactly `path`, if it was seen. */
  exactLine(path: KeyPath): number | undefined {
    return this.lines.get(JSON.stringify(path));
  }

  private lineAt(offset: number): number {
    let lo = 0;
    let hi = this.newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.newlines[mid] ?? 0) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }

  private record(path: KeyPath, line: number): void {
    for (let n = 1; n <= path.length; n++) {
      const key = JSON.stringify(path.slice(0, n));
      if (!this.lines.has(key)) this.lines.set(key, line);
    }
  }

  private peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }

  /** Skips spaces, tabs and (when `newlines`) line breaks and comments. */
  private skip(newlines: boolean): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t') this.pos++;
      else if (newlines && (c === '\n' || c === '\r')) this.pos++;
      else if (c === '#') {
        const end = this.text.indexOf('\n', this.pos);
        this.pos = end < 0 ? this.text.length : end;
      } else return;
    }
  }

  private scanDocument(): void {
    let table: KeyPath = [];
    const arrayCounts = new Map<string, number>();
    while (this.pos < this.text.length) {
      this.skip(true);
      if (this.pos >= this.text.length) break;
      const start = this.pos;
      const line = this.lineAt(start);
      if (this.peek() === '[') {
        const isArray = this.peek(1) === '[';
        this.pos += isArray ? 2 : 1;
        const key = this.parseKey();
        const close = this.text.indexOf('\n', this.pos);
        this.pos = close < 0 ? this.text.length : close;
        if (isArray) {
          const id = JSON.stringify(key);
          const index = arrayCounts.get(id) ?? 0;
          arrayCounts.set(id, index + 1);
          table = [...key, index];
        } else {
          table = key;
        }
        this.record(table, line);
        continue;
      }
      const key = this.parseKey();
      this.skip(false);
      if (this.peek() !== '=') {
        // not a key/value line (cannot happen in an accepted document): skip the line
        const end = this.text.indexOf('\n', this.pos);
        this.pos = end < 0 ? this.text.length : end;
        continue;
      }
      this.pos++;
      const path = [...table, ...key];
      this.record(path, line);
      this.parseValue(path);
      if (this.pos === start) this.pos++;
    }
  }

  /** A dotted key: bare, "basic" and 'literal' parts. */
  private parseKey(): string[] {
    const parts: string[] = [];
    for (;;) {
      this.skip(false);
      const c = this.peek();
      if (c === '"') parts.push(this.parseBasicString());
      else if (c === "'") parts.push(this.parseLiteralString());
      else {
        const begin = this.pos;
        while (BARE_KEY.test(this.peek())) this.pos++;
        if (this.pos === begin) return parts;
        parts.push(this.text.slice(begin, this.pos));
      }
      this.skip(false);
      if (this.peek() !== '.') return parts;
      this.pos++;
    }
  }

  private parseBasicString(): string {
    this.pos++; // opening quote
    let out = '';
    while (this.pos < this.text.length) {
      const c = this.peek();
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\n') return out;
      if (c === '\\') {
        const e = this.peek(1);
        const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };
        if (e === 'u' || e === 'U' || e === 'x') {
          const len = e === 'u' ? 4 : e === 'U' ? 8 : 2;
          const code = Number.parseInt(this.text.slice(this.pos + 2, this.pos + 2 + len), 16);
          out += Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : '';
          this.pos += 2 + len;
        } else {
          out += simple[e] ?? e;
          this.pos += 2;
        }
        continue;
      }
      out += c;
      this.pos++;
    }
    return out;
  }

  private parseLiteralString(): string {
    const end = this.text.indexOf("'", this.pos + 1);
    const lineEnd = this.text.indexOf('\n', this.pos + 1);
    const stop = end < 0 || (lineEnd >= 0 && lineEnd < end) ? (lineEnd < 0 ? this.text.length : lineEnd) : end;
    const out = this.text.slice(this.pos + 1, stop);
    this.pos = stop === end ? end + 1 : stop;
    return out;
  }

  private skipMultiline(quote: '"""' | "'''"): void {
    this.pos += 3;
    while (this.pos < this.text.length) {
      if (quote === '"""' && this.peek() === '\\') {
        this.pos += 2;
        continue;
      }
      if (this.text.startsWith(quote, this.pos)) {
        this.pos += 3;
        // up to two more quote characters may belong to the content
        for (let extra = 0; extra < 2 && this.peek() === quote[0]; extra++) this.pos++;
        return;
      }
      this.pos++;
    }
  }

  private parseValue(path: KeyPath): void {
    this.skip(false);
    const c = this.peek();
    if (this.text.startsWith('"""', this.pos)) this.skipMultiline('"""');
    else if (this.text.startsWith("'''", this.pos)) this.skipMultiline("'''");
    else if (c === '"') this.parseBasicString();
    else if (c === "'") this.parseLiteralString();
    else if (c === '{') this.parseInlineTable(path);
    else if (c === '[') this.parseArray(path);
    else {
      while (this.pos < this.text.length && !',]}\n#'.includes(this.peek())) this.pos++;
    }
  }

  private parseInlineTable(path: KeyPath): void {
    this.pos++;
    while (this.pos < this.text.length) {
      this.skip(true);
      if (this.peek() === '}') {
        this.pos++;
        return;
      }
      const before = this.pos;
      const line = this.lineAt(this.pos);
      const key = this.parseKey();
      this.skip(false);
      if (this.peek() === '=') {
        this.pos++;
        const full = [...path, ...key];
        this.record(full, line);
        this.parseValue(full);
      }
      this.skip(true);
      if (this.peek() === ',') this.pos++;
      if (this.pos === before) this.pos++;
    }
  }

  private parseArray(path: KeyPath): void {
    this.pos++;
    let index = 0;
    while (this.pos < this.text.length) {
      this.skip(true);
      if (this.peek() === ']') {
        this.pos++;
        return;
      }
      const before = this.pos;
      const element = [...path, index];
      this.record(element, this.lineAt(this.pos));
      this.parseValue(element);
      index++;
      this.skip(true);
      if (this.peek() === ',') this.pos++;
      if (this.pos === before) this.pos++;
    }
  }
}
