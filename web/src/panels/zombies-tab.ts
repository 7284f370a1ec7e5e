/**
 * Zombies tab: the server's zombie list (a job that talks to the server with the wrong password,
 * process id or try number) and ecflow_ui's actions on the chosen rows — Fob off, Fail, Adopt,
 * Remove, Kill — each after a confirmation. Hidden when the server is read-only.
 */

import type { UiAction } from '../../../src/server/ui-protocol.js';
import { el, isReadOnly } from './host.js';
import { isObj, listOf, str, type Json } from './panel-data.js';
import { button, formatTime, Loader, nodeLink, selectHandler, tabToolbar } from './tab-util.js';
import { ALL_KINDS, type TabContext, type TabDef, type TabInstance } from './tab-types.js';
import { confirmDialog } from '../dialogs/dialog.js';
import { sendAction } from '../actions/run-action.js';

const ZOMBIE_ACTIONS: ReadonlyArray<readonly [UiAction, string, string]> = [
  ['zombie-fob', 'Fob off', 'The job is told to carry on; its requests are answered without changing the node.'],
  ['zombie-fail', 'Fail', 'The job is told to fail (its next request returns an error).'],
  ['zombie-adopt', 'Adopt', 'The job becomes the real one: its password and process id replace the node’s.'],
  ['zombie-remove', 'Remove', 'The zombie is removed from the server’s list (it reappears if the job calls again).'],
  ['zombie-kill', 'Kill', 'The job is killed with the node’s ECF_KILL_CMD.'],
];

const PREFERRED_COLUMNS = ['path', 'type', 'processId', 'tryNo', 'host', 'calls', 'duration', 'lastChildCmd', 'userAction', 'userCmd'];
const HIDDEN_COLUMNS = new Set(['userActionSet']);
const COLUMN_LABELS: Readonly<Record<string, string>> = {
  path: 'Node',
  type: 'Type',
  processId: 'Process id',
  tryNo: 'Try',
  host: 'Host',
  calls: 'Calls',
  duration: 'Duration (s)',
  lastChildCmd: 'Last child command',
  userAction: 'User action',
  userCmd: 'User command',
};

function columnsOf(rows: readonly Json[]): string[] {
  const keys = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if ((typeof r[k] !== 'object' || r[k] === null) && !HIDDEN_COLUMNS.has(k)) keys.add(k);
  const ordered = PREFERRED_COLUMNS.filter((k) => keys.has(k));
  for (const k of keys) if (!ordered.includes(k)) ordered.push(k);
  return ordered;
}

function create(ctx: TabContext): TabInstance {
  const loader = new Loader(ctx);
  const readOnly = isReadOnly(ctx.app, ctx.target.server);
  const out = el('div', 'ecf-zombies');
  const onPath = selectHandler(ctx);
  let rows: Json[] = [];
  const chosen = new Set<number>();
  const buttons: HTMLButtonElement[] = [];
  const tools: Array<HTMLElement | string> = [];
  if (!readOnly) {
    for (const [action, label, explain] of ZOMBIE_ACTIONS) {
      const b = button(label, () => void run(action, label, explain), `ecf-zombie-${action.slice(7)}`, explain);
      buttons.push(b);
      tools.push(b);
    }
  }
  tools.push(button('Reload', () => void load(), 'ecf-zombie-reload'));
  ctx.root.append(tabToolbar(...tools), out);

  const sync = (): void => buttons.forEach((b) => (b.disabled = chosen.size === 0));

  async function run(action: UiAction, label: string, explain: string): Promise<void> {
    const picked = [...chosen].map((i) => rows[i]).filter((r): r is Json => r !== undefined && str(r['path']) !== undefined);
    if (picked.length === 0) return;
    const paths = picked.map((r) => str(r['path'])!);
    const ok = await confirmDialog({
      title: `${label} zombie${paths.length > 1 ? 's' : ''}`,
      question: `${label} ${paths.length === 1 ? `the zombie of ${paths[0]}` : `${paths.length} zombies`}?`,
      warning: explain,
      items: picked.map((r) => `${str(r['path'])}${str(r['processId']) ? `  (process ${str(r['processId'])})` : ''}`),
      confirmLabel: label,
    });
    if (!ok) return;
    // One request per zombie: `value` names its process, so other zombies of the node stay.
    for (const r of picked) {
      const pid = str(r['processId']);
      const target = [{ server: ctx.target.server, path: str(r['path'])! }];
      await sendAction(ctx.app, action, target, pid !== undefined && pid !== '' ? { value: pid } : undefined, `Zombie ${label.toLowerCase()}`);
    }
    void load();
  }

  function render(): void {
    chosen.clear();
    sync();
    if (rows.length === 0) {
      out.replaceChildren(el('div', 'ecf-empty', 'No zombies on this server.'));
      return;
    }
    const cols = columnsOf(rows);
    const table = el('table', 'ecf-zombie-table');
    const head = el('tr');
    head.append(el('th', '', ''));
    for (const c of cols) head.append(el('th', '', COLUMN_LABELS[c] ?? c));
    table.append(head);
    rows.forEach((r, i) => {
      const tr = el('tr', 'ecf-zombie');
      const path = str(r['path']) ?? '';
      tr.dataset['path'] = path;
      if (ctx.path !== '' && path.startsWith(ctx.path)) tr.classList.add('ecf-zombie-here');
      const cb = el('input');
      cb.type = 'checkbox';
      cb.setAttribute('aria-label', `Choose ${path}`);
      cb.addEventListener('change', () => {
        if (cb.checked) chosen.add(i);
        else chosen.delete(i);
        sync();
      });
      const td0 = el('td');
      td0.append(cb);
      tr.append(td0);
      for (const c of cols) {
        const td = el('td', `ecf-zombie-${c}`);
        const v = r[c];
        if (c === 'path' && path !== '') td.append(nodeLink(path, path, onPath));
        else td.textContent = /time|since/i.test(c) ? formatTime(v) : v === undefined ? '' : String(v);
        tr.append(td);
      }
      table.append(tr);
    });
    out.replaceChildren(table);
  }

  async function load(): Promise<void> {
    const r = await loader.run({ what: 'zombies', server: ctx.target.server }, 'Zombies');
    if (r === undefined) return;
    rows = listOf(r.data, 'zombies').filter(isObj);
    render();
  }

  void load();
  return { refresh: () => void load(), dispose: () => loader.dispose() };
}

export const zombiesTab: TabDef = { name: 'zombies', label: 'Zombies', key: 'z', kinds: ALL_KINDS, create };
