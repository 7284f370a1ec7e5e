/**
 * Small pieces shared by the tabs: a request runner that drops stale answers, node-path links
 * that select the node, a key/value table, and time formatting.
 */

import type { UiRequest, UiResponseData } from '../../../src/server/ui-protocol.js';
import { el, isCancelled, selectNode } from './host.js';
import type { TabContext } from './tab-types.js';

/** A request of one kind, and what the local server answers it (ui-protocol.ts UiResponseData). */
export type RequestOf<W extends UiRequest['what']> = Extract<UiRequest, { what: W }>;
export type AnswerOf<W extends UiRequest['what']> = UiResponseData[W];

/** `app.request` with the answer typed by the protocol. */
export async function ask<W extends UiRequest['what']>(app: { request(req: UiRequest): Promise<unknown> }, req: RequestOf<W>): Promise<AnswerOf<W>> {
  return (await app.request(req)) as AnswerOf<W>;
}

/**
 * Runs a tab's requests one generation at a time: an answer that arrives after a newer request
 * (or after dispose) is dropped; a failure is shown in the tab.
 */
export class Loader {
  private generation = 0;
  private disposed = false;
  constructor(private readonly ctx: TabContext) {}

  /** The answer, or undefined when it failed (shown) or was superseded. */
  async run<W extends UiRequest['what']>(req: RequestOf<W>, what: string): Promise<{ data: AnswerOf<W> } | undefined> {
    const gen = ++this.generation;
    this.ctx.root.classList.add('ecf-loading');
    try {
      const data = await ask(this.ctx.app, req);
      if (gen !== this.generation || this.disposed) return undefined;
      this.ctx.clearError();
      return { data };
    } catch (e) {
      if (gen === this.generation && !this.disposed && !isCancelled(e)) this.ctx.showError(e, what);
      return undefined;
    } finally {
      if (gen === this.generation) this.ctx.root.classList.remove('ecf-loading');
    }
  }

  /** Like run, but never shows errors (background polls): returns the error instead. */
  async quiet<W extends UiRequest['what']>(req: RequestOf<W>): Promise<{ data: AnswerOf<W> } | { error: unknown } | undefined> {
    const gen = this.generation;
    try {
      const data = await ask(this.ctx.app, req);
      return gen === this.generation && !this.disposed ? { data } : undefined;
    } catch (error) {
      return gen === this.generation && !this.disposed ? { error } : undefined;
    }
  }

  dispose(): void {
    this.disposed = true;
    this.generation++;
  }
}

/** Absolute node paths in free text: `/suite/family/task` (optionally `:event` after it). */
const PATH_RE = /(^|[\s'"(=,[:])(\/[A-Za-z0-9_][A-Za-z0-9_.\-]*(?:\/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*)/g;

/**
 * Append `text` to `parent`, turning absolute node paths into links that select the node.
 *
 * @example linkifyPaths(div, 'task /s/f/t is not complete', (p) => app.select?.(server, p))
 */
export function linkifyPaths(parent: HTMLElement, text: string, onPath: (path: string) => void): void {
  let last = 0;
  for (const m of text.matchAll(PATH_RE)) {
    const lead = m[1] ?? '';
    const path = m[2] ?? '';
    const start = (m.index ?? 0) + lead.length;
    if (start > last) parent.append(text.slice(last, start));
    parent.append(nodeLink(path, path, onPath));
    last = start + path.length;
  }
  if (last < text.length) parent.append(text.slice(last));
}

export function nodeLink(path: string, label: string, onPath: (path: string) => void): HTMLAnchorElement {
  const a = el('a', 'ecf-node-link', label);
  a.href = '#';
  a.dataset['path'] = path;
  a.title = `Select ${path}`;
  a.addEventListener('click', (e) => {
    e.preventDefault();
    onPath(path);
  });
  return a;
}

/** The link handler for a tab: select the node in the tree. */
export function selectHandler(ctx: TabContext): (path: string) => void {
  return (path) => selectNode(ctx.app, ctx.target.server, path);
}

/** Resolve a trigger-style relative path (`../f/t`, `t`) against the node it belongs to. */
export function resolvePath(base: string, rel: string): string {
  if (rel.startsWith('/')) return rel;
  const parts = base.split('/').filter((p) => p !== '');
  parts.pop(); // relative to the parent (ecFlow: siblings are named directly)
  for (const p of rel.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.' && p !== '') parts.push(p);
  }
  return '/' + parts.join('/');
}

/** A two-column table of label → value rows (value may be a node). */
export function kvTable(rows: ReadonlyArray<readonly [string, string | Node]>, cls = ''): HTMLTableElement {
  const t = el('table', `ecf-kv ${cls}`.trim());
  for (const [k, v] of rows) {
    const tr = el('tr');
    const th = el('th', '', k);
    th.scope = 'row';
    const td = el('td');
    td.append(v);
    tr.append(th, td);
    t.append(tr);
  }
  return t;
}

/** Format a time given as ISO text, unix seconds or ms. */
export function formatTime(v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v)) {
    const ms = v < 1e11 ? v * 1000 : v;
    return new Date(ms).toLocaleString();
  }
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) {
    const d = new Date(v);
    if (!Number.isNaN(d.getTime())) return d.toLocaleString();
  }
  return typeof v === 'string' ? v : String(v);
}

/** A header row for a tab: title text and buttons. */
export function tabToolbar(...items: Array<HTMLElement | string>): HTMLElement {
  const bar = el('div', 'ecf-tab-toolbar');
  bar.append(...items);
  return bar;
}

export function button(label: string, onClick: () => void, cls = '', title?: string): HTMLButtonElement {
  const b = el('button', `ecf-btn ${cls}`.trim(), label);
  b.type = 'button';
  if (title !== undefined) b.title = title;
  b.addEventListener('click', onClick);
  return b;
}
