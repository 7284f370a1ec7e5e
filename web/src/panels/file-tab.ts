/**
 * Script, Job and Manual tabs (`file` requests), and the plain text tabs Node log (edit-history)
 * and Server log (server-log, with a lines selector): a TextView with search and download.
 */

import { el } from './host.js';
import { refreshSearchCount, searchBar } from './search-bar.js';
import { button, Loader, tabToolbar, type RequestOf } from './tab-util.js';
import { ALL_KINDS, NODE_KINDS, TASK_KINDS, type PanelName, type TabContext, type TabDef, type TabInstance } from './tab-types.js';
import { TextView } from './text-view.js';

/** Save text as a file through the browser. */
export function downloadText(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = el('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

interface TextTabOptions {
  readonly request: (ctx: TabContext, extra: { lines?: number }) => RequestOf<'file' | 'edit-history' | 'server-log'>;
  readonly what: string;
  /** Lines selector choices (server log). */
  readonly lineChoices?: readonly number[];
  /** Keep the view at the end (logs). */
  readonly atEnd?: boolean;
  readonly empty: string;
}

function textTab(opts: TextTabOptions): (ctx: TabContext) => TabInstance {
  return (ctx) => {
    const loader = new Loader(ctx);
    const view = new TextView();
    const note = el('div', 'ecf-file-note');
    const status = el('span', 'ecf-file-status');
    let lines = opts.lineChoices?.[0];
    const items: Array<HTMLElement | string> = [];
    if (opts.lineChoices !== undefined) {
      const sel = el('select', 'ecf-lines-select');
      sel.setAttribute('aria-label', 'Lines');
      for (const n of opts.lineChoices) {
        const o = el('option', '', `last ${n} lines`);
        o.value = String(n);
        sel.append(o);
      }
      sel.addEventListener('change', () => {
        lines = Number(sel.value);
        void load();
      });
      items.push(sel);
    }
    let name = opts.what.toLowerCase().replace(/\s+/g, '-');
    items.push(button('Reload', () => void load(), 'ecf-file-reload'), button('Download', () => downloadText(view.getText(), name)), status);
    const search = searchBar(view);
    ctx.root.append(note, tabToolbar(...items), search, view.root);

    async function load(): Promise<void> {
      const pinned = view.isAtEnd();
      const r = await loader.run(opts.request(ctx, lines !== undefined ? { lines } : {}), opts.what);
      if (r === undefined) return;
      const d = r.data;
      if (d.path !== undefined) name = d.path.split('/').pop() || name;
      note.textContent = [d.path, d.source].filter((x) => x !== undefined && x !== '').join(' — ');
      view.setText(d.text);
      status.textContent = d.text === '' ? opts.empty : `${view.lineCount} line${view.lineCount === 1 ? '' : 's'}`;
      refreshSearchCount(search, view);
      if (opts.atEnd === true || pinned) view.scrollToEnd();
    }
    void load();
    return { refresh: () => void load(), dispose: () => loader.dispose() };
  };
}

function fileTab(name: PanelName, label: string, key: string, file: 'script' | 'job' | 'manual', kinds: TabDef['kinds']): TabDef {
  return {
    name,
    label,
    key,
    kinds,
    create: textTab({
      request: (ctx) => ({ what: 'file', server: ctx.target.server, path: ctx.path, file }),
      what: label,
      empty: `no ${label.toLowerCase()}`,
    }),
  };
}

export const scriptTab = fileTab('script', 'Script', 's', 'script', TASK_KINDS);
export const jobTab = fileTab('job', 'Job', 'j', 'job', TASK_KINDS);
export const manualTab = fileTab('manual', 'Manual', 'm', 'manual', NODE_KINDS);

export const nodeLogTab: TabDef = {
  name: 'node-log',
  label: 'Node log',
  kinds: ALL_KINDS,
  create: textTab({
    request: (ctx) => ({ what: 'edit-history', server: ctx.target.server, path: ctx.path === '' ? '/' : ctx.path }),
    what: 'Node log',
    empty: 'no changes recorded for this node',
  }),
};

/** Lines the server log tab offers (ecflow_ui shows the last 100). */
export const SERVER_LOG_LINES = [100, 500, 1000, 5000, 10000] as const;

export const serverLogTab: TabDef = {
  name: 'server-log',
  label: 'Server log',
  kinds: ALL_KINDS,
  create: textTab({
    request: (ctx, { lines }) => ({ what: 'server-log', server: ctx.target.server, ...(lines !== undefined ? { lines } : {}) }),
    what: 'Server log',
    lineChoices: SERVER_LOG_LINES,
    atEnd: true,
    empty: 'the log is empty',
  }),
};
