/**
 * Zombies tab: the server's zombie list (a job that talks to the server with the wrong password,
 * process id or try number) and ecflow_ui's actions on the chosen rows — Fob off, Fail, Adopt,
 * Remove, Kill — each after a confirmation. Hidden when the server is read-only.
 */

import type { UiAction, UiZombie } from '../../../src/server/ui-protocol.js';
import { el, isReadOnly } from './host.js';
import { button, Loader, nodeLink, selectHandler, tabToolbar } from './tab-util.js';
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

/** Columns: label and how to show a zombie's field (UiZombie). */
const COLUMNS: ReadonlyArray<readonly [string, (z: UiZombie) => string]> = [
  ['Type', (z) => z.type],
  ['Process id', (z) => z.processId],
  ['Try', (z) => String(z.tryNo)],
  ['Host', (z) => z.host],
  ['Calls', (z) => String(z.calls)],
  ['Age (s)', (z) => String(z.duration)],
  ['Last child command', (z) => z.lastChildCmd],
  ['User action', (z) => (z.userActionSet ? z.userAction : '')],
  ['Explanation', (z) => z.userCmd],
];

function create(ctx: TabContext): TabInstance {
  const loader = new Loader(ctx);
  const readOnly = isReadOnly(ctx.app, ctx.target.server);
  const out = el('div', 'ecf-zombies');
  const onPath = selectHandler(ctx);
  let rows: readonly UiZombie[] = [];
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
    const picked = [...chosen].map((i) => rows[i]).filter((z): z is UiZombie => z !== undefined);
    if (picked.length === 0) return;
    const ok = await confirmDialog({
      title: `${label} zombie${picked.length > 1 ? 's' : ''}`,
      question: `${label} ${picked.length === 1 ? `the zombie of ${picked[0]!.path}` : `${picked.length} zombies`}?`,
      warning: explain,
      items: picked.map((z) => `${z.path}  (process ${z.processId})`),
      confirmLabel: label,
    });
    if (!ok) return;
    // One request per zombie: `value` names its process, so other zombies of the node stay.
    for (const z of picked) {
      await sendAction(ctx.app, action, [{ server: ctx.target.server, path: z.path }], z.processId !== '' ? { value: z.processId } : undefined, `Zombie ${label.toLowerCase()}`);
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
    const table = el('table', 'ecf-zombie-table');
    const head = el('tr');
    head.append(el('th', '', ''), el('th', '', 'Node'));
    for (const [label] of COLUMNS) head.append(el('th', '', label));
    table.append(head);
    rows.forEach((z, i) => {
      const tr = el('tr', 'ecf-zombie');
      tr.dataset['path'] = z.path;
      if (ctx.path !== '' && (z.path === ctx.path || z.path.startsWith(`${ctx.path}/`))) tr.classList.add('ecf-zombie-here');
      const cb = el('input');
      cb.type = 'checkbox';
      cb.setAttribute('aria-label', `Choose ${z.path}`);
      cb.addEventListener('change', () => {
        if (cb.checked) chosen.add(i);
        else chosen.delete(i);
        sync();
      });
      const pick = el('td');
      pick.append(cb);
      const node = el('td', 'ecf-zombie-path');
      node.append(nodeLink(z.path, z.path, onPath));
      tr.append(pick, node);
      for (const [, show] of COLUMNS) tr.append(el('td', '', show(z)));
      table.append(tr);
    });
    out.replaceChildren(table);
  }

  async function load(): Promise<void> {
    const r = await loader.run({ what: 'zombies', server: ctx.target.server }, 'Zombies');
    if (r === undefined) return;
    rows = r.data;
    render();
  }

  void load();
  return { refresh: () => void load(), dispose: () => loader.dispose() };
}

export const zombiesTab: TabDef = { name: 'zombies', label: 'Zombies', key: 'z', kinds: ALL_KINDS, create };
