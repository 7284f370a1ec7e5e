/**
 * The Info panel container, like ecflow_ui's: a row of tabs (Info, Output, Script, Job, Manual,
 * Why, Triggers, Variables, Node log, Server log, Zombies) for the selected node; tabs that do not
 * apply to the node's kind are shown disabled. The shown tab follows the selection and updates
 * live: when the selected node changes (the shell's onNodeChange touches it; for the server row
 * also its health) the tab re-requests, debounced. The tab named in the deep link opens first
 * (`app.panel()`, `app.onPanel`), and a tab the user picks goes back into the URL (`app.setPanel`).
 *
 * @example
 * const panels = mountPanels(document.querySelector('#panels')!, app, { panel: 'output' });
 * panels.onPanelChange((name) => updateDeepLink(name));
 * panels.showPanel('why');
 */

import { el, isServerPath, panelKind, type PanelApp, type SelectedNode } from './host.js';
import { errorBox } from './error-box.js';
import { isPanelName, type PanelName, type TabContext, type TabDef, type TabInstance } from './tab-types.js';
import { ALL_TABS } from './tabs.js';

/** Changes of the selected node within this time are coalesced into one refresh. */
export const REFRESH_DEBOUNCE_MS = 400;

export interface PanelsOptions {
  /** The tab to show first, e.g. 'output' (default: the deep link's, `app.panel()`). */
  readonly panel?: string;
}

export interface PanelsController {
  readonly element: HTMLElement;
  /** Show a tab by name (ignored when unknown); it stays the preferred tab for later selections. */
  showPanel(name: string): void;
  currentPanel(): PanelName;
  onPanelChange(cb: (name: PanelName) => void): () => void;
  /** Re-request the shown tab. */
  reload(): void;
  dispose(): void;
}

interface Shown {
  readonly target: SelectedNode;
  readonly instances: Map<PanelName, { inst: TabInstance; pane: HTMLElement; stale: boolean }>;
}

/** The last mounted panels (the context menu and keys open tabs in it). */
let mounted: PanelsController | undefined;

/** Show a tab in the mounted panels (context menu "Output…", key 'o'). */
export function openPanel(name: string): void {
  mounted?.showPanel(name);
}

export function mountPanels(container: HTMLElement, app: PanelApp, options: PanelsOptions = {}): PanelsController {
  const root = el('div', 'ecf-panels');
  const header = el('div', 'ecf-panels-header');
  const title = el('span', 'ecf-panels-title');
  const reloadBtn = el('button', 'ecf-btn ecf-panels-reload', '⟳');
  reloadBtn.type = 'button';
  reloadBtn.title = 'Reload this tab';
  const tabBar = el('div', 'ecf-tabbar');
  tabBar.setAttribute('role', 'tablist');
  const body = el('div', 'ecf-panels-body');
  header.append(title, reloadBtn);
  root.append(header, tabBar, body);
  container.append(root);

  const first = options.panel ?? app.panel();
  let preferred: PanelName = first !== undefined && isPanelName(first) ? first : 'info';
  let active: PanelName = preferred;
  let shown: Shown | undefined;
  let debounce: ReturnType<typeof setTimeout> | undefined;
  const listeners = new Set<(name: PanelName) => void>();

  const tabButtons = new Map<PanelName, HTMLButtonElement>();
  for (const def of ALL_TABS) {
    const b = el('button', 'ecf-tab', def.label);
    b.type = 'button';
    b.setAttribute('role', 'tab');
    b.dataset['panel'] = def.name;
    if (def.key !== undefined) b.title = `${def.label} (${def.key})`;
    b.addEventListener('click', () => {
      controller.showPanel(def.name);
      app.setPanel(def.name);
    });
    tabButtons.set(def.name, b);
    tabBar.append(b);
  }

  const defOf = (name: PanelName): TabDef => ALL_TABS.find((d) => d.name === name) ?? ALL_TABS[0]!;
  const applies = (def: TabDef, target: SelectedNode | undefined): boolean =>
    target !== undefined && def.kinds.includes(panelKind(target, app));

  function setTitle(t: SelectedNode | undefined): void {
    title.replaceChildren();
    if (t === undefined) {
      title.textContent = 'Select a node';
      return;
    }
    const kind = panelKind(t, app);
    title.append(el('span', 'ecf-panels-server', t.server), el('span', 'ecf-panels-path', isServerPath(t.path) ? '' : t.path));
    title.append(el('span', 'ecf-panels-kind', kind));
  }

  function clearShown(): void {
    if (shown !== undefined) for (const { inst } of shown.instances.values()) inst.dispose();
    shown = undefined;
    body.replaceChildren();
  }

  function makeInstance(def: TabDef, target: SelectedNode): { inst: TabInstance; pane: HTMLElement; stale: boolean } {
    const pane = el('div', `ecf-pane ecf-pane-${def.name}`);
    pane.setAttribute('role', 'tabpanel');
    const errorSlot = el('div', 'ecf-pane-error');
    const content = el('div', 'ecf-pane-content');
    pane.append(errorSlot, content);
    body.append(pane);
    const ctx: TabContext = {
      app,
      target,
      kind: panelKind(target, app),
      path: isServerPath(target.path) ? '' : target.path,
      root: content,
      isVisible: () => active === def.name && shown?.target === target && document.visibilityState === 'visible' && root.isConnected,
      showError: (e, what) => errorSlot.replaceChildren(errorBox(e, what, () => errorSlot.replaceChildren())),
      clearError: () => errorSlot.replaceChildren(),
    };
    return { inst: def.create(ctx), pane, stale: false };
  }

  function render(): void {
    const target = shown?.target;
    for (const def of ALL_TABS) {
      const b = tabButtons.get(def.name)!;
      b.disabled = !applies(def, target);
      b.setAttribute('aria-selected', String(def.name === active && !b.disabled));
      b.classList.toggle('ecf-tab-active', def.name === active && !b.disabled);
    }
    if (shown === undefined || target === undefined) return;
    for (const [name, entry] of shown.instances) entry.pane.hidden = name !== active;
    let entry = shown.instances.get(active);
    if (entry === undefined) {
      entry = makeInstance(defOf(active), target);
      shown.instances.set(active, entry);
    } else if (entry.stale) {
      entry.stale = false;
      entry.inst.refresh('change');
    } else {
      entry.inst.shown?.();
    }
  }

  /** The tab to show for a target: the preferred one when it applies, else Info. */
  function pickActive(target: SelectedNode): PanelName {
    if (applies(defOf(preferred), target)) return preferred;
    return 'info';
  }

  function onSelection(sel: readonly SelectedNode[]): void {
    const t = sel[0];
    if (t !== undefined && shown !== undefined && t.server === shown.target.server && t.path === shown.target.path) return;
    clearShown();
    setTitle(t);
    if (t === undefined) {
      render();
      body.append(el('div', 'ecf-empty', 'Select a node in the tree to see its details.'));
      return;
    }
    shown = { target: t, instances: new Map() };
    const before = active;
    active = pickActive(t);
    render();
    if (before !== active) for (const cb of listeners) cb(active);
  }

  /** The shown node changed: refresh the shown tab soon, the hidden ones when next shown. */
  function changed(): void {
    if (shown === undefined) return;
    if (debounce !== undefined) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = undefined;
      if (shown === undefined) return;
      for (const [name, entry] of shown.instances) {
        if (name === active) entry.inst.refresh('change');
        else entry.stale = true;
      }
    }, REFRESH_DEBOUNCE_MS);
  }

  const unsubSel = app.onSelection(onSelection);
  const unsubChange = app.onNodeChange((c) => {
    const t = shown?.target;
    if (t !== undefined && c.server === t.server && c.touches(t.server, isServerPath(t.path) ? '/' : t.path)) changed();
  });
  let lastHealth = '';
  const unsubServers = app.onServers(() => {
    const t = shown?.target;
    if (t === undefined || !isServerPath(t.path)) return;
    const h = JSON.stringify(app.serverOf(t.server)?.health ?? {});
    if (h !== lastHealth) {
      lastHealth = h;
      changed();
    }
  });
  const unsubPanel = app.onPanel((p) => {
    if (p !== undefined) controller.showPanel(p);
  });
  reloadBtn.addEventListener('click', () => controller.reload());

  const controller: PanelsController = {
    element: root,
    showPanel(name) {
      if (!isPanelName(name)) return;
      preferred = name;
      const target = shown?.target;
      const next = target === undefined || applies(defOf(name), target) ? name : active;
      const changed = next !== active;
      active = next;
      render();
      if (changed) for (const cb of listeners) cb(active);
    },
    currentPanel: () => active,
    onPanelChange(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    reload() {
      shown?.instances.get(active)?.inst.refresh('reload');
    },
    dispose() {
      clearShown();
      if (debounce !== undefined) clearTimeout(debounce);
      unsubSel();
      unsubChange();
      unsubServers();
      unsubPanel();
      root.remove();
      if (mounted === controller) mounted = undefined;
    },
  };
  onSelection(app.getSelection());
  mounted = controller;
  return controller;
}
