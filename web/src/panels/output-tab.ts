/**
 * Output tab: a task's job output through the local server's fetch chain (log server, else the
 * ecFlow server's last lines). The header says which source served it ("log server
 * logserver1:9316", "ecflow server … (last 10000 lines)") and lists the sources that failed
 * before; a try selector switches between the tries; search highlights and steps through
 * matches; "Follow" polls `output-more` every 2 s while the tab is visible and appends.
 */

import type { UiOutputData } from '../../../src/server/ui-protocol.js';
import { asRequestError, el } from './host.js';
import { refreshSearchCount, searchBar } from './search-bar.js';
import { button, formatTime, Loader, tabToolbar } from './tab-util.js';
import { TASK_KINDS, type TabContext, type TabDef, type TabInstance } from './tab-types.js';
import { TextView } from './text-view.js';
import { downloadText } from './file-tab.js';

export const FOLLOW_INTERVAL_MS = 2000;
/** Follow stays on across selections once the user turned it on. */
let followWanted = false;

function create(ctx: TabContext): TabInstance {
  const loader = new Loader(ctx);
  const view = new TextView('ecf-output-text');
  const source = el('div', 'ecf-output-source');
  const pathLine = el('div', 'ecf-output-path');
  const failures = el('details', 'ecf-output-attempts');
  failures.hidden = true;
  const tries = el('select', 'ecf-output-tries');
  tries.setAttribute('aria-label', 'Try');
  tries.hidden = true;
  const followBox = el('label', 'ecf-output-follow');
  const follow = el('input');
  follow.type = 'checkbox';
  follow.checked = followWanted;
  followBox.append(follow, ' Follow');
  followBox.title = `Fetch what the job appends every ${FOLLOW_INTERVAL_MS / 1000} s while this tab is shown`;
  const numbers = el('label', 'ecf-output-numbers');
  const numBox = el('input');
  numBox.type = 'checkbox';
  numBox.checked = true;
  numbers.append(numBox, ' Line numbers');
  const status = el('span', 'ecf-output-status');
  const search = searchBar(view);
  const bar = tabToolbar(
    tries,
    followBox,
    numbers,
    button('Reload', () => void load(), 'ecf-output-reload', 'Fetch the whole output again'),
    button('Download', () => downloadText(view.getText(), fileName()), 'ecf-output-download'),
    status,
  );
  ctx.root.append(el('div', 'ecf-output-head', ''), bar, search, view.root);
  ctx.root.querySelector('.ecf-output-head')!.append(source, pathLine, failures);

  let data: UiOutputData | undefined;
  let tryNo: number | undefined;
  let polling = false;
  /** The node's state when the output was fetched: other changes (labels, meters) do not refetch it. */
  let loadedState = '';
  const stateNow = (): string => ctx.app.nodeInfo(ctx.target.server, ctx.path)?.state ?? '';
  let timer: ReturnType<typeof setInterval> | undefined;

  const fileName = (): string => (data?.path.split('/').pop() ?? 'output') || 'output';

  function showHeader(d: UiOutputData): void {
    source.textContent = `Output from ${d.sourceDescription}`;
    source.dataset['source'] = d.sourceDescription;
    pathLine.textContent = d.path + (d.truncated ? '  (the beginning is not shown: the server sends the last lines only)' : '');
    failures.replaceChildren();
    failures.hidden = d.attempts.length === 0;
    if (d.attempts.length > 0) {
      failures.append(el('summary', '', `${d.attempts.length} earlier source${d.attempts.length > 1 ? 's' : ''} failed`));
      const ul = el('ul');
      for (const a of d.attempts) ul.append(el('li', '', `${a.description}: ${a.error.serverMessage ?? a.error.message}`));
      failures.append(ul);
    }
    tries.replaceChildren();
    tries.hidden = d.tries.length < 2;
    for (const t of [...d.tries].sort((a, b) => b.tryNo - a.tryNo)) {
      const o = el('option', '', `try ${t.tryNo}${t.current ? ' (current)' : ''}${t.mtime !== undefined ? ` — ${formatTime(t.mtime)}` : ''}`);
      o.value = String(t.tryNo);
      o.selected = t.tryNo === d.tryNo;
      tries.append(o);
    }
  }

  const outputRequest = () => ({ what: 'output', server: ctx.target.server, path: ctx.path, ...(tryNo !== undefined ? { tryNo } : {}) }) as const;

  async function load(): Promise<void> {
    const pinned = view.isAtEnd();
    loadedState = stateNow();
    status.textContent = 'loading…';
    const r = await loader.run(outputRequest(), 'Output');
    status.textContent = '';
    if (r === undefined) return;
    data = r.data;
    showHeader(data);
    view.setText(data.content);
    refreshSearchCount(search, view);
    if (pinned || follow.checked) view.scrollToEnd();
    status.textContent = `${view.lineCount} line${view.lineCount === 1 ? '' : 's'}`;
    arm();
  }

  /**
   * One follow step: what the log server appended (output-more with the size, mtime and checksum
   * we have), or — output served by the ecFlow server, which has no such thing — the whole text.
   */
  async function poll(): Promise<void> {
    const d = data;
    if (polling || d === undefined || !ctx.isVisible()) return;
    polling = true;
    try {
      if (d.size === undefined || d.mtime === undefined || d.checksum === undefined) {
        const r = await loader.quiet(outputRequest());
        if (r === undefined || 'error' in r) return;
        const old = view.getText();
        if (r.data.content.startsWith(old)) view.append(r.data.content.slice(old.length));
        else view.setText(r.data.content);
        data = r.data;
      } else {
        const r = await loader.quiet({ what: 'output-more', server: ctx.target.server, path: ctx.path, tryNo: d.tryNo, size: d.size, mtime: d.mtime, checksum: d.checksum });
        if (r === undefined) return;
        if ('error' in r) {
          status.textContent = `follow: ${asRequestError(r.error).message}`;
          return;
        }
        const m = r.data;
        if (m.kind === 'appended') view.append(m.text);
        else if (m.kind === 'replaced') view.setText(m.text);
        data = { ...d, size: m.size, mtime: m.mtime, checksum: m.checksum };
      }
      refreshSearchCount(search, view);
      status.textContent = `${view.lineCount} lines · following`;
    } finally {
      polling = false;
    }
  }

  function arm(): void {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    if (follow.checked) {
      timer = setInterval(() => void poll(), FOLLOW_INTERVAL_MS);
      view.scrollToEnd();
    }
  }

  follow.addEventListener('change', () => {
    followWanted = follow.checked;
    arm();
  });
  numBox.addEventListener('change', () => view.setLineNumbers(numBox.checked));
  tries.addEventListener('change', () => {
    tryNo = Number(tries.value);
    void load();
  });
  void load();
  return {
    refresh: (reason) => {
      if (reason === 'reload' || stateNow() !== loadedState) void load();
    },
    dispose: () => {
      if (timer !== undefined) clearInterval(timer);
      loader.dispose();
    },
  };
}

export const outputTab: TabDef = { name: 'output', label: 'Output', key: 'o', kinds: TASK_KINDS, create };
