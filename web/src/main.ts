/**
 * The browser app's entry: builds the page (header, toolbars, breadcrumbs, the tree with its
 * Search/Problems drawer, the panels), creates the store and the sync worker connection, and
 * hands the AppApi to the panels and actions modules.
 */

import './styles.css';
import { mountActions, openContextMenu } from './actions/index.js';
import { createApp } from './app.js';
import { Connection, socketUrl, takeToken } from './connection.js';
import { mountNotifications } from './notifications.js';
import { mountPanels } from './panels/index.js';
import { Problems } from './problems/problems.js';
import { ProblemsPane } from './problems/problems-pane.js';
import { SearchPane } from './search/search-pane.js';
import { Store } from './store.js';
import { TreeView } from './tree/tree-view.js';
import { mountBreadcrumbs } from './ui/breadcrumbs.js';
import { button, h } from './ui/dom.js';
import { mountHeader } from './ui/header.js';
import { mountStatusFilter } from './ui/status-filter.js';

const token = takeToken();
let store: Store | undefined;
let search: SearchPane | undefined;
const conn = new Connection({
  onWorker: (m) => {
    if (m.t === 'search-results') search?.onResults(m);
    else store?.onWorker(m);
  },
  onMessage: (m) => store?.onMessage(m),
});
store = new Store(conn);
const s = store;
const app = createApp(s);

// ---- layout ----
const root = document.getElementById('app')!;
const header = h('header', 'topbar');
const brand = h('span', 'brand', 'ecflow-remote');
const headerMain = h('div', 'topbar-main');
const headerRight = h('div', 'topbar-right');
header.append(brand, headerMain, headerRight);

const toolbar = h('div', 'toolbar');
const treeTools = h('div', 'tree-tools', undefined, { role: 'toolbar', 'aria-label': 'Tree' });
const actionsHost = h('div', 'actions-host');
toolbar.append(treeTools, actionsHost);

const crumbs = h('div', 'crumbs-host');
const body = h('main', 'body');
const left = h('section', 'left', undefined, { 'aria-label': 'Tree' });
const splitter = h('div', 'splitter', undefined, { role: 'separator', 'aria-orientation': 'vertical', tabindex: '0', 'aria-label': 'Resize tree and panels' });
const right = h('section', 'right', undefined, { 'aria-label': 'Panels' });
body.append(left, splitter, right);
const statusBar = h('footer', 'statusbar', undefined, { role: 'status', 'aria-live': 'polite' });
root.append(header, toolbar, crumbs, body, statusBar);

// ---- tree + drawer ----
const tree = new TreeView(s, app, {
  onContextMenu: (e) => void openContextMenu(e, app),
  onOpen: () => app.openPanel(),
});
const drawer = h('section', 'drawer');
const tabs = h('div', 'drawer-tabs', undefined, { role: 'tablist', 'aria-label': 'Search and problems' });
const problems = new Problems(s);
const problemsPane = new ProblemsPane(s, problems);
search = new SearchPane(s, conn);
const searchTab = button('Search', () => showDrawer('search'), 'tab');
const problemsTab = button('Problems', () => showDrawer('problems'), 'tab');
const closeDrawer = button('×', () => showDrawer(undefined), 'btn small drawer-close', 'Hide');
for (const t of [searchTab, problemsTab]) t.setAttribute('role', 'tab');
tabs.append(searchTab, problemsTab, closeDrawer);
const drawerBody = h('div', 'drawer-body');
drawerBody.append(search.el, problemsPane.el);
drawer.append(tabs, drawerBody);
left.append(tree.el, drawer);

let drawerShown: 'search' | 'problems' | undefined;
function showDrawer(which: 'search' | 'problems' | undefined): void {
  drawerShown = which;
  drawer.classList.toggle('open', which !== undefined);
  search!.el.hidden = which !== 'search';
  problemsPane.el.hidden = which !== 'problems';
  searchTab.setAttribute('aria-selected', String(which === 'search'));
  problemsTab.setAttribute('aria-selected', String(which === 'problems'));
  problemsPane.setVisible(which === 'problems');
  closeDrawer.hidden = which === undefined;
  try {
    localStorage.setItem('ecflow-remote.drawer', which ?? '');
  } catch {
    /* ignore */
  }
}
const updateProblemsTab = (): void => {
  const n = problems.count;
  problemsTab.textContent = n > 0 ? `Problems (${n})` : 'Problems';
  problemsTab.classList.toggle('alert', n > 0);
};
problems.events.on('changed', updateProblemsTab);
updateProblemsTab();
let savedDrawer: string | null = null;
try {
  savedDrawer = localStorage.getItem('ecflow-remote.drawer');
} catch {
  /* ignore */
}
showDrawer(savedDrawer === 'search' ? 'search' : savedDrawer === '' ? undefined : 'problems');

treeTools.append(
  button('Expand all', () => s.setAllExpanded(true), 'btn', 'Expand every node of every server'),
  button('Collapse all', () => s.setAllExpanded(false), 'btn', 'Collapse every node'),
);
mountStatusFilter(treeTools, s);
treeTools.append(
  button('Search', () => {
    showDrawer('search');
    search!.focus();
  }, 'btn', 'Search nodes (Ctrl+Shift+F)'),
);
document.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && e.shiftKey && (e.key === 'F' || e.key === 'f')) {
    e.preventDefault();
    showDrawer('search');
    search!.focus();
  }
});

// ---- header, crumbs, status ----
mountHeader(headerMain, s, () => conn.reconnectNow());
mountNotifications(headerRight, s, problems);
mountBreadcrumbs(crumbs, s);
let statusTimer: ReturnType<typeof setTimeout> | undefined;
s.events.on('status', ({ message, kind }) => {
  statusBar.textContent = message;
  statusBar.className = `statusbar ${kind}`;
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => {
    statusBar.textContent = '';
    statusBar.className = 'statusbar';
  }, 8000);
});
s.events.on('resync', ({ server, reason }) => s.status(`${server}: resynchronising (${reason})`));

// ---- splitter ----
splitter.addEventListener('pointerdown', (e) => {
  splitter.setPointerCapture(e.pointerId);
  const move = (ev: PointerEvent): void => {
    const r = body.getBoundingClientRect();
    const pct = Math.max(20, Math.min(80, ((ev.clientX - r.left) / r.width) * 100));
    body.style.setProperty('--left', `${pct}%`);
  };
  const up = (): void => {
    splitter.removeEventListener('pointermove', move);
    splitter.removeEventListener('pointerup', up);
  };
  splitter.addEventListener('pointermove', move);
  splitter.addEventListener('pointerup', up);
});

// ---- panels and actions (their modules) ----
mountPanels(right, app);
mountActions(actionsHost, app);

conn.connect(socketUrl(token));
