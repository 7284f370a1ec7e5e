/**
 * A read-only text view that stays fast for large files (job output of tens of MB): the text is
 * kept as an array of lines and only the visible lines (plus a margin) are in the DOM, at a fixed
 * line height; the scroll space is one spacer element. Search finds every match (up to
 * MAX_MATCHES), highlights those on visible lines and moves between them (next/previous).
 * Appending (follow mode) extends the last line and keeps the view at the end when it was there.
 *
 * Design note: a 64 MiB output is about a million lines = 16 Mpx of scroll space at 16 px per
 * line, under Chromium's ~33 Mpx element height limit, so no scroll scaling is needed.
 */

import { el } from './host.js';

/** Matches beyond this are counted as "N+" and not highlighted (ecflow_ui's large-file mode). */
export const MAX_MATCHES = 10_000;
/** Above this size, search runs on Enter only (not on each key). */
export const LARGE_TEXT_CHARS = 5_000_000;
const OVERSCAN = 20;

export interface Match {
  readonly line: number;
  readonly start: number;
  readonly end: number;
}

export class TextView {
  readonly root: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly body: HTMLElement;
  private lines: string[] = [''];
  private chars = 0;
  private lineHeight = 16;
  private matches: Match[] = [];
  private matchesCapped = false;
  private current = -1;
  private query = '';
  private caseSensitive = false;
  private renderQueued = false;
  private showNumbers = true;

  constructor(cls = '') {
    this.root = el('div', `ecf-text ${cls}`.trim());
    this.scroller = el('div', 'ecf-text-scroller');
    this.scroller.tabIndex = 0;
    this.spacer = el('div', 'ecf-text-spacer');
    this.body = el('div', 'ecf-text-body');
    this.spacer.append(this.body);
    this.scroller.append(this.spacer);
    this.root.append(this.scroller);
    this.scroller.addEventListener('scroll', () => this.queueRender(), { passive: true });
    new ResizeObserver(() => this.queueRender()).observe(this.scroller);
  }

  /** Replace the whole text. */
  setText(text: string): void {
    this.lines = text.split('\n');
    this.chars = text.length;
    this.refreshSearch();
    this.updateSize();
    this.queueRender();
  }

  /** Append text (follow mode); keeps the view pinned to the end when it was at the end. */
  append(text: string): void {
    if (text === '') return;
    const pinned = this.isAtEnd();
    const parts = text.split('\n');
    const lastIndex = this.lines.length - 1;
    this.lines[lastIndex] = (this.lines[lastIndex] ?? '') + (parts[0] ?? '');
    for (let i = 1; i < parts.length; i++) this.lines.push(parts[i] ?? '');
    this.chars += text.length;
    this.refreshSearch(lastIndex);
    this.updateSize();
    if (pinned) this.scrollToEnd();
    this.queueRender();
  }

  getText(): string {
    return this.lines.join('\n');
  }

  get lineCount(): number {
    const n = this.lines.length;
    return n > 0 && this.lines[n - 1] === '' ? n - 1 : n;
  }

  get size(): number {
    return this.chars;
  }

  get isLarge(): boolean {
    return this.chars > LARGE_TEXT_CHARS;
  }

  setLineNumbers(on: boolean): void {
    this.showNumbers = on;
    this.root.classList.toggle('ecf-text-nonumbers', !on);
    this.queueRender();
  }

  isAtEnd(): boolean {
    const s = this.scroller;
    return s.scrollTop + s.clientHeight >= s.scrollHeight - this.lineHeight * 1.5;
  }

  scrollToEnd(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.queueRender();
  }

  scrollToLine(line: number): void {
    const top = line * this.lineHeight;
    const s = this.scroller;
    if (top < s.scrollTop || top + this.lineHeight > s.scrollTop + s.clientHeight) {
      s.scrollTop = Math.max(0, top - s.clientHeight / 3);
    }
    this.queueRender();
  }

  /** Search (substring). Returns the number of matches found (at most MAX_MATCHES). */
  search(query: string, caseSensitive = false): number {
    this.query = query;
    this.caseSensitive = caseSensitive;
    this.matches = [];
    this.matchesCapped = false;
    this.current = -1;
    this.findFrom(0);
    if (this.matches.length > 0) this.goTo(0);
    this.queueRender();
    return this.matches.length;
  }

  /** "3 / 120", "no match", "1 / 10000+" */
  matchSummary(): string {
    if (this.query === '') return '';
    if (this.matches.length === 0) return 'no match';
    return `${this.current + 1} / ${this.matches.length}${this.matchesCapped ? '+' : ''}`;
  }

  next(): void {
    if (this.matches.length > 0) this.goTo((this.current + 1) % this.matches.length);
  }

  prev(): void {
    if (this.matches.length > 0) this.goTo((this.current - 1 + this.matches.length) % this.matches.length);
  }

  /** Visible text (for tests and copy). */
  focus(): void {
    this.scroller.focus();
  }

  private goTo(i: number): void {
    this.current = i;
    const m = this.matches[i];
    if (m !== undefined) this.scrollToLine(m.line);
    this.queueRender();
  }

  /** Re-run the search after the text changed, from `fromLine` on (append keeps earlier matches). */
  private refreshSearch(fromLine = 0): void {
    if (this.query === '') return;
    if (fromLine === 0) {
      // A new text: search again; the same match number stays current (a reload keeps the place).
      const was = this.current;
      this.matches = [];
      this.matchesCapped = false;
      this.findFrom(0);
      this.current = this.matches.length === 0 ? -1 : Math.min(Math.max(was, 0), this.matches.length - 1);
      return;
    }
    // Appended text: only the last line and the new ones can hold new matches.
    while (this.matches.length > 0 && (this.matches[this.matches.length - 1]?.line ?? 0) >= fromLine) this.matches.pop();
    this.matchesCapped = false;
    this.findFrom(fromLine);
  }

  private findFrom(fromLine: number): void {
    const q = this.caseSensitive ? this.query : this.query.toLowerCase();
    if (q === '') return;
    for (let li = fromLine; li < this.lines.length; li++) {
      const raw = this.lines[li] ?? '';
      const line = this.caseSensitive ? raw : raw.toLowerCase();
      let at = line.indexOf(q);
      while (at >= 0) {
        if (this.matches.length >= MAX_MATCHES) {
          this.matchesCapped = true;
          return;
        }
        this.matches.push({ line: li, start: at, end: at + q.length });
        at = line.indexOf(q, at + Math.max(1, q.length));
      }
    }
  }

  private updateSize(): void {
    const measured = parseFloat(getComputedStyle(this.root).getPropertyValue('--ecf-line-height'));
    if (Number.isFinite(measured) && measured > 0) this.lineHeight = measured;
    this.spacer.style.height = `${this.lineCount * this.lineHeight + 4}px`;
    const digits = String(this.lineCount).length;
    this.root.style.setProperty('--ecf-gutter', `${Math.max(3, digits) + 1}ch`);
  }

  private queueRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  private render(): void {
    const lh = this.lineHeight;
    const s = this.scroller;
    const count = this.lineCount;
    const first = Math.max(0, Math.floor(s.scrollTop / lh) - OVERSCAN);
    const last = Math.min(count, Math.ceil((s.scrollTop + s.clientHeight) / lh) + OVERSCAN);
    this.body.style.transform = `translateY(${first * lh}px)`;
    const frag = document.createDocumentFragment();
    // Matches on the rendered lines (matches are sorted by line): binary search the first one.
    let mi = lowerBound(this.matches, first);
    for (let li = first; li < last; li++) {
      const row = el('div', 'ecf-line');
      if (this.showNumbers) row.append(el('span', 'ecf-lno', String(li + 1)));
      const text = this.lines[li] ?? '';
      const span = el('span', 'ecf-ltext');
      let pos = 0;
      while (mi < this.matches.length && this.matches[mi]!.line === li) {
        const m = this.matches[mi]!;
        if (m.start > pos) span.append(text.slice(pos, m.start));
        const mark = el('mark', mi === this.current ? 'ecf-match ecf-match-current' : 'ecf-match', text.slice(m.start, m.end));
        span.append(mark);
        pos = m.end;
        mi++;
      }
      span.append(text.slice(pos) || (pos === 0 ? '\u200b' : ''));
      row.append(span);
      frag.append(row);
    }
    this.body.replaceChildren(frag);
  }
}

function lowerBound(matches: readonly Match[], line: number): number {
  let lo = 0;
  let hi = matches.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (matches[mid]!.line < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
