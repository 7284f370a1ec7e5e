/**
 * The node context menu (right-click on a tree row or an attribute row), laid out like
 * ecflow_ui's: actions, the Free deps / Defstatus / Force / Order peers / Special submenus,
 * Begin, event Set/Clear, limit Reset, then the panels ("Info…  i") and Copy node path. Items
 * that do not fit the node's state are disabled; on a read-only server no action is shown.
 *
 * @example
 * row.addEventListener('contextmenu', (e) => void openContextMenu(e, app));
 */

import { isServerPath, panelKind, type PanelApp, type SelectedNode } from '../panels/host.js';
import { openPanel } from '../panels/panels.js';
import { ALL_TABS } from '../panels/tabs.js';
import { commandText, isEnabled, visibleItems, type ActionItem, type ActionTarget, type Submenu } from './action-table.js';
import { isAdminMode } from './admin-mode.js';
import { showMenu, type MenuEntry } from './menu.js';
import { actionTargets, anyReadOnly, runItem } from './run-action.js';

const SUBMENUS: readonly Submenu[] = ['Free deps', 'Defstatus', 'Force', 'Order peers', 'Special'];

function title(sel: readonly SelectedNode[]): string {
  if (sel.length > 1) return `${sel.length} nodes`;
  const s = sel[0];
  if (s === undefined) return '';
  if (s.attribute !== undefined) return `${s.attribute.kind} ${'name' in s.attribute ? s.attribute.name : ''}`.trim();
  if (isServerPath(s.path)) return s.server;
  return s.path.split('/').pop() ?? s.path;
}

function actionEntry(app: PanelApp, item: ActionItem, targets: readonly ActionTarget[]): MenuEntry {
  const paths = targets.map((t) => (t.path === '' ? '/' : t.path));
  return {
    label: item.label,
    ...(item.key !== undefined ? { key: item.key } : {}),
    disabled: !isEnabled(item, targets),
    title: commandText(item, paths),
    cls: `ecf-action-${item.id}`,
    ...(item.separator === true ? { separator: true } : {}),
    run: () => void runItem(app, item, targets),
  };
}

/** The menu entries for a selection (exported for tests and the toolbar's "More" button). */
export function menuEntries(app: PanelApp, sel: readonly SelectedNode[]): MenuEntry[] {
  const targets = actionTargets(app, sel);
  const readOnly = anyReadOnly(app, targets);
  const items = visibleItems(targets, { admin: isAdminMode(), readOnly });
  const entries: MenuEntry[] = [];
  let afterSubmenus = false;
  for (const item of items) {
    if (item.submenu !== undefined) continue;
    // Begin, events and limits come after the submenus, as in ecflow_ui.
    if (!afterSubmenus && (item.id === 'begin' || item.id.endsWith('-event') || item.id === 'reset-limit')) {
      afterSubmenus = true;
      pushSubmenus(app, entries, items, targets);
    }
    entries.push(actionEntry(app, item, targets));
  }
  if (!afterSubmenus) pushSubmenus(app, entries, items, targets);
  if (readOnly && targets.length > 0) entries.push({ label: 'Read-only server: actions hidden', disabled: true, cls: 'ecf-menu-readonly', separator: true });

  const single = sel.length === 1 ? sel[0] : undefined;
  if (single !== undefined && single.kind !== 'attribute') {
    const kind = panelKind(single, app);
    let first = true;
    for (const tab of ALL_TABS) {
      if (!tab.kinds.includes(kind)) continue;
      entries.push({
        label: `${tab.label}…`,
        ...(tab.key !== undefined ? { key: tab.key } : {}),
        cls: `ecf-panel-${tab.name}`,
        run: () => openPanel(tab.name),
        ...(first ? { separator: true } : {}),
      });
      first = false;
    }
  }
  if (sel.length > 0) {
    entries.push({
      label: sel.length > 1 ? 'Copy node paths' : 'Copy node path',
      separator: true,
      cls: 'ecf-copy-path',
      run: () => {
        const text = sel.map((s) => (isServerPath(s.path) ? s.server : s.path)).join('\n');
        void navigator.clipboard?.writeText(text).then(
          () => app.status(`Copied ${text.includes('\n') ? `${sel.length} paths` : text}`),
          () => app.status(text),
        );
      },
    });
  }
  return entries;
}

function pushSubmenus(app: PanelApp, entries: MenuEntry[], items: readonly ActionItem[], targets: readonly ActionTarget[]): void {
  let first = true;
  for (const name of SUBMENUS) {
    const sub = items.filter((i) => i.submenu === name).map((i) => actionEntry(app, i, targets));
    if (sub.length === 0) continue;
    entries.push({
      label: name,
      submenu: sub,
      cls: `ecf-submenu-${name.toLowerCase().replace(/\s+/g, '-')}`,
      disabled: sub.every((s) => s.disabled === true),
      ...(first ? { separator: true } : {}),
    });
    first = false;
  }
}

/** Attribute rows whose attribute the tree has not loaded yet: look it up by index. */
async function withAttributes(app: PanelApp, sel: readonly SelectedNode[]): Promise<readonly SelectedNode[]> {
  if (!sel.some((s) => s.kind === 'attribute' && s.attribute === undefined)) return sel;
  return Promise.all(
    sel.map(async (s) => {
      if (s.kind !== 'attribute' || s.attribute !== undefined || s.attributeIndex === undefined) return s;
      const attribute = (await app.attributes(s.server, s.path).catch(() => []))[s.attributeIndex];
      return attribute === undefined ? s : { ...s, attribute };
    }),
  );
}

/**
 * Open the node menu at the mouse position for the current selection (or `targets` when the
 * caller passes the rows explicitly). Resolves with the menu element.
 */
export async function openContextMenu(
  event: { clientX: number; clientY: number; preventDefault?: () => void },
  app: PanelApp,
  targets?: readonly SelectedNode[],
): Promise<HTMLElement | undefined> {
  event.preventDefault?.();
  const { clientX, clientY } = event;
  const sel = await withAttributes(app, targets ?? app.getSelection());
  if (sel.length === 0) return undefined;
  return showMenu(clientX, clientY, title(sel), menuEntries(app, sel));
}
