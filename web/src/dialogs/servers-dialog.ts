/**
 * The Servers dialog (ecflow_ui's "Manage servers"): the configured servers with a filter and a
 * favourites toggle; Edit, Add, Duplicate, Remove; import of ecflow_ui's
 * ~/.ecflow_ui_v5/servers.txt with the counts shown. Double-click edits a row.
 */

import type { UiServer, UiServersImportData } from '../../../src/server/ui-protocol.js';
import { el, type PanelApp } from '../panels/host.js';
import { errorBox } from '../panels/error-box.js';
import { ask } from '../panels/tab-util.js';
import { confirmDialog, openDialog } from './dialog.js';
import { openServerEditDialog, type EditMode } from './server-edit-dialog.js';

/** What an import did: "file: 2 added (a, b), 1 skipped, 3 already configured", and the skipped lines. */
export function importSummary(d: UiServersImportData): { text: string; skipped: string[] } {
  const parts = [`${d.added.length} added${d.added.length > 0 ? ` (${d.added.join(', ')})` : ''}`, `${d.skipped.length} skipped`];
  if (d.duplicates > 0) parts.push(`${d.duplicates} already configured`);
  return {
    text: `${d.file}: ${parts.join(', ')}`,
    skipped: d.skipped.map((s) => `line ${s.line}${s.name !== undefined ? ` (${s.name})` : ''}: ${s.reason}`),
  };
}

function health(s: UiServer): HTMLElement {
  const h = el('span', `ecf-health ecf-health-${s.health.state}`, s.health.state);
  if (s.health.message !== undefined) h.title = s.health.message;
  return h;
}

/** Open the dialog; resolves when it is closed. */
export async function openServersDialog(app: PanelApp): Promise<void> {
  const filter = el('input', 'ecf-servers-filter');
  filter.type = 'search';
  filter.placeholder = 'Filter';
  filter.setAttribute('aria-label', 'Filter servers');
  const favLabel = el('label', 'ecf-servers-favonly');
  const favOnly = el('input');
  favOnly.type = 'checkbox';
  favLabel.append(favOnly, ' Favourites only');
  const table = el('table', 'ecf-servers-table');
  const tableBox = el('div', 'ecf-servers-list');
  tableBox.append(table);
  const message = el('div', 'ecf-servers-message');
  message.setAttribute('role', 'status');
  const side = el('div', 'ecf-servers-buttons');
  const mkBtn = (label: string, cls: string, run: () => void): HTMLButtonElement => {
    const b = el('button', `ecf-btn ${cls}`, label);
    b.type = 'button';
    b.addEventListener('click', run);
    side.append(b);
    return b;
  };
  let list: UiServer[] = [];
  let chosen: string | undefined;

  const editBtn = mkBtn('Edit…', 'ecf-servers-edit', () => void edit('edit'));
  mkBtn('Add…', 'ecf-servers-add', () => void edit('add'));
  const dupBtn = mkBtn('Duplicate…', 'ecf-servers-duplicate', () => void edit('duplicate'));
  const removeBtn = mkBtn('Remove', 'ecf-servers-remove', () => void remove());
  side.append(el('div', 'ecf-servers-sep'));
  const importFile = el('input', 'ecf-servers-import-file');
  importFile.placeholder = '~/.ecflow_ui_v5/servers.txt';
  importFile.setAttribute('aria-label', 'File to import');
  mkBtn('Import servers.txt', 'ecf-servers-import', () => void importServers());
  side.append(importFile);

  const top = el('div', 'ecf-servers-top');
  top.append(filter, favLabel);
  const main = el('div', 'ecf-servers-main');
  main.append(tableBox, side);

  function render(): void {
    const q = filter.value.trim().toLowerCase();
    table.replaceChildren();
    const head = el('tr');
    for (const h of ['Name', 'Host', 'Port', 'Route', 'User', 'SSL', 'F', 'Read-only', 'Password', 'Status']) head.append(el('th', '', h));
    table.append(head);
    const shown = list.filter(
      (s) => (!favOnly.checked || s.favourite) && (q === '' || [s.name, s.host, s.route ?? '', s.customUser ?? '', s.remoteUser ?? ''].some((x) => x.toLowerCase().includes(q))),
    );
    for (const s of shown) {
      const tr = el('tr', `ecf-server-row${s.name === chosen ? ' ecf-chosen' : ''}`);
      tr.dataset['name'] = s.name;
      tr.tabIndex = 0;
      const user = s.customUser !== undefined ? `${s.customUser} (custom)` : (s.remoteUser ?? '');
      for (const [cls, v] of [
        ['name', s.name],
        ['host', s.host],
        ['port', String(s.port)],
        ['route', s.route ?? ''],
        ['user', user],
        ['ssl', s.ssl ? 'ssl' : ''],
        ['fav', s.favourite ? '★' : ''],
        ['ro', s.readOnly ? 'read-only' : ''],
        ['pw', s.hasPassword ? 'set' : ''],
      ] as const) {
        tr.append(el('td', `ecf-server-${cls}`, v));
      }
      const st = el('td', 'ecf-server-status');
      st.append(health(s));
      tr.append(st);
      tr.addEventListener('click', () => {
        chosen = s.name;
        render();
      });
      tr.addEventListener('dblclick', () => {
        chosen = s.name;
        void edit('edit');
      });
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') {
          chosen = s.name;
          void edit('edit');
        }
      });
      table.append(tr);
    }
    if (shown.length === 0) {
      const tr = el('tr');
      const td = el('td', 'ecf-empty', list.length === 0 ? 'No servers yet: Add one, or import ecflow_ui’s servers.txt.' : 'No server matches.');
      td.colSpan = 10;
      tr.append(td);
      table.append(tr);
    }
    const has = chosen !== undefined && list.some((s) => s.name === chosen);
    editBtn.disabled = dupBtn.disabled = removeBtn.disabled = !has;
  }

  async function load(): Promise<void> {
    try {
      list = [...(await ask(app, { what: 'servers' }))];
      list.sort((a, b) => Number(b.favourite) - Number(a.favourite) || a.name.localeCompare(b.name));
      render();
    } catch (e) {
      message.replaceChildren(errorBox(e, 'Cannot list the servers', () => message.replaceChildren()));
    }
  }

  async function edit(mode: EditMode): Promise<void> {
    const s = list.find((x) => x.name === chosen);
    if (mode !== 'add' && s === undefined) return;
    const saved = await openServerEditDialog(app, mode, mode === 'add' ? undefined : s, list.map((x) => x.name));
    if (saved === undefined) return;
    chosen = saved;
    message.textContent = `Saved ${saved}.`;
    await load();
  }

  async function remove(): Promise<void> {
    const name = chosen;
    if (name === undefined) return;
    const ok = await confirmDialog({
      title: 'Remove server',
      question: `Remove server ${name} from the configuration?`,
      warning: 'Its stored password is removed too.',
      confirmLabel: 'Remove',
    });
    if (!ok) return;
    try {
      await app.request({ what: 'server-remove', name });
      message.textContent = `Removed ${name}.`;
      chosen = undefined;
      await load();
    } catch (e) {
      message.replaceChildren(errorBox(e, `Cannot remove ${name}`, () => message.replaceChildren()));
    }
  }

  async function importServers(): Promise<void> {
    const file = importFile.value.trim();
    message.textContent = 'Importing…';
    try {
      const sum = importSummary(await ask(app, { what: 'servers-import', ...(file !== '' ? { file } : {}) }));
      const box = el('div', 'ecf-import-result');
      box.append(el('div', 'ecf-import-counts', `Imported ${sum.text}`));
      if (sum.skipped.length > 0) {
        const ul = el('ul', 'ecf-import-skipped');
        for (const line of sum.skipped) ul.append(el('li', '', line));
        box.append(ul);
      }
      message.replaceChildren(box);
      await load();
    } catch (e) {
      message.replaceChildren(errorBox(e, 'Import failed', () => message.replaceChildren()));
    }
  }

  filter.addEventListener('input', render);
  favOnly.addEventListener('change', render);
  const d = openDialog<boolean>({
    title: 'Servers',
    content: [top, main, message],
    cls: 'ecf-servers-dialog',
    buttons: [{ label: 'Close', value: true }],
  });
  filter.focus();
  await load();
  await d.result;
}
