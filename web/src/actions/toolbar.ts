/**
 * The actions toolbar: the common node actions for the selection (Suspend, Resume, Rerun,
 * Execute, Requeue, Set complete, Kill) and "Actions ▾" with the whole node menu; a "Servers…"
 * button; the admin mode switch (off by default, red while on); a read-only badge when the
 * selected server is read-only (then the action buttons are not shown at all). It also installs
 * the keyboard shortcuts (keyboard.ts).
 *
 * @example
 * mountActions(document.querySelector('#toolbar')!, app);
 */

import { el, isReadOnly, type PanelApp } from '../panels/host.js';
import { openServersDialog } from '../dialogs/servers-dialog.js';
import { ACTION_ITEMS, isEnabled, visibleItems, type ActionItem } from './action-table.js';
import { isAdminMode, onAdminMode, setAdminMode } from './admin-mode.js';
import { openContextMenu } from './context-menu.js';
import { installKeyboard } from './keyboard.js';
import { actionTargets, runItem } from './run-action.js';

const TOOLBAR_ITEMS = ['suspend', 'resume', 'rerun', 'execute', 'requeue', 'set-complete', 'kill'] as const;

export interface ActionsController {
  readonly element: HTMLElement;
  /** Re-evaluate which buttons are shown/enabled (the shell may call this after a delta). */
  update(): void;
  dispose(): void;
}

export function mountActions(toolbar: HTMLElement, app: PanelApp): ActionsController {
  const root = el('div', 'ecf-actions');
  root.setAttribute('role', 'toolbar');
  root.setAttribute('aria-label', 'Node actions');
  const group = el('div', 'ecf-actions-group');
  const buttons = new Map<string, { item: ActionItem; btn: HTMLButtonElement }>();
  for (const id of TOOLBAR_ITEMS) {
    const item = ACTION_ITEMS.find((i) => i.id === id)!;
    const btn = el('button', `ecf-btn ecf-tool ecf-tool-${id}`, item.label);
    btn.type = 'button';
    btn.title = item.key !== undefined ? `${item.label} (${item.key})` : item.label;
    btn.addEventListener('click', () => {
      const targets = actionTargets(app, app.getSelection());
      void runItem(app, item, targets);
    });
    buttons.set(id, { item, btn });
    group.append(btn);
  }
  const more = el('button', 'ecf-btn ecf-tool ecf-tool-more', 'Actions ▾');
  more.type = 'button';
  more.title = 'All actions for the selection (right-click on a node, Shift+F10)';
  more.addEventListener('click', () => {
    const r = more.getBoundingClientRect();
    void openContextMenu({ clientX: r.left, clientY: r.bottom }, app);
  });
  group.append(more);

  const readOnlyBadge = el('span', 'ecf-readonly-badge', 'Read-only');
  readOnlyBadge.title = 'This server is read-only: write actions are hidden (change it in Servers…)';
  readOnlyBadge.hidden = true;

  const servers = el('button', 'ecf-btn ecf-tool ecf-tool-servers', 'Servers…');
  servers.type = 'button';
  servers.addEventListener('click', () => void openServersDialog(app));

  const adminLabel = el('label', 'ecf-admin-switch');
  const admin = el('input');
  admin.type = 'checkbox';
  admin.checked = isAdminMode();
  admin.setAttribute('role', 'switch');
  adminLabel.append(admin, el('span', '', 'Admin mode'));
  adminLabel.title = 'Shows Force, Order and the server actions (halt, shutdown, restart, checkpoint)';
  admin.addEventListener('change', () => setAdminMode(admin.checked));

  root.append(group, readOnlyBadge, el('span', 'ecf-actions-spacer'), servers, adminLabel);
  toolbar.append(root);

  function update(): void {
    const sel = app.getSelection();
    const targets = actionTargets(app, sel);
    const ro = sel.some((s) => isReadOnly(app, s.server));
    readOnlyBadge.hidden = !ro;
    const shown = visibleItems(targets, { admin: isAdminMode(), readOnly: ro });
    for (const { item, btn } of buttons.values()) {
      btn.hidden = ro || !shown.includes(item);
      btn.disabled = !isEnabled(item, targets);
    }
    // Suspend and Resume share a place: for a mix of suspended and running nodes keep Suspend, disabled.
    const s = buttons.get('suspend');
    const r = buttons.get('resume');
    const nodesOnly = targets.length > 0 && targets.every((t) => t.kind !== 'server' && t.attribute === undefined);
    if (s !== undefined && r !== undefined && s.btn.hidden && r.btn.hidden && !ro && nodesOnly) {
      s.btn.hidden = false;
      s.btn.disabled = true;
    }
    more.disabled = sel.length === 0;
    adminLabel.classList.toggle('ecf-admin-on', isAdminMode());
    admin.checked = isAdminMode();
  }

  const unsubSel = app.onSelection(() => update());
  const unsubChange = app.onNodeChange((c) => {
    if (app.getSelection().some((s) => c.touches(s.server, s.path))) update();
  });
  const unsubServers = app.onServers(() => update());
  const unsubAdmin = onAdminMode(() => update());
  const uninstallKeys = installKeyboard(app);
  update();
  return {
    element: root,
    update,
    dispose() {
      unsubSel();
      unsubChange();
      unsubServers();
      unsubAdmin();
      uninstallKeys();
      root.remove();
    },
  };
}
