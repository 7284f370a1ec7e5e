/**
 * The browser app's entry: builds the page (header, toolbars, breadcrumbs, the tree with its
 * Search/Problems drawer, the panels), creates the store and the sync worker connection, and
 * hands the AppApi to the panels and actions modules.
 */

import './styles.css';
import { createApp } from './app.js';
import { Connection, socketUrl, takeToken } from './connection.js';
import { mountNotifications } from './notifications.js';
import { Problems } from './problems/problems.js';
import type { SearchPane } from './search/search-pane.js';
import { Store } from './store.js';
import { TreeView } from './tree/tree-view.js';
import { mountBreadcrumbs } from './ui/breadcrumbs.js';
import { button, h } from './ui/dom.js';
import { mountDrawer } from './ui/drawer.js';
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

// ---- first task: the tree, the header and the socket (the snapshot is on its way) ----
// The panels and actions modules (web/src/panels, web/src/actions) load as their own chunk.
let actions: typeof import('./actions/index.js') | undefined;
const tree = new TreeView(s, app, {
  onContextMenu: (e) => void actions?.openContextMenu(e, app),
  onOpen: () => app.openPanel(),
});
const drawerEl = h('section', 'drawer');
left.append(tree.el, drawerEl);
const problems = new Problems(s);
mountHeader(headerMain, s, () => conn.reconnectNow());
conn.connect(socketUrl(token));

// ---- next task: the rest (keeps the first task, and the first paint, short) ----
setTimeout(mountRest, 0);

function mountRest(): void {
  const drawer = mountDrawer(drawerEl, s, conn, problems);
  search = drawer.search;
  const openSearch = (): void => {
    drawer.show('search');
    drawer.search.focus();
  };
  treeTools.append(
    button('Expand all', () => s.setAllExpanded(true), 'btn', 'Expand every node of every server'),
    button('Collapse all', () => s.setAllExpanded(false), 'btn', 'Collapse every node'),
  );
  mountStatusFilter(treeTools, s);
  treeTools.append(button('Search', openSearch, 'btn', 'Search nodes (Ctrl+Shift+F)'));
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.shiftKey && (e.key === 'F' || e.key === 'f')) {
      e.preventDefault();
      openSearch();
    }
  });

  mountNotifications(headerRight, s, problems);
  mountBreadcrumbs(crumbs, s);
  mountStatusBar(statusBar, s);
  mountSplitter(splitter, body);

  void Promise.all([import('./panels/index.js'), import('./actions/index.js')]).then(([panels, acts]) => {
    actions = acts;
    panels.mountPanels(right, app);
    acts.mountActions(actionsHost, app);
  });
}

function mountStatusBar(bar: HTMLElement, store: Store): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  store.events.on('status', ({ message, kind }) => {
    bar.textContent = message;
    bar.className = `statusbar ${kind}`;
    clearTimeout(timer);
    timer = setTimeout(() => {
      bar.textContent = '';
      bar.className = 'statusbar';
    }, 8000);
  });
  store.events.on('resync', ({ server, reason }) => store.status(`${server}: resynchronising (${reason})`));
}

function mountSplitter(handle: HTMLElement, grid: HTMLElement): void {
  handle.addEventListener('pointerdown', (e) => {
    handle.setPointerCapture(e.pointerId);
    const move = (ev: PointerEvent): void => {
      const r = grid.getBoundingClientRect();
      const pct = Math.max(20, Math.min(80, ((ev.clientX - r.left) / r.width) * 100));
      grid.style.setProperty('--left', `${pct}%`);
    };
    const up = (): void => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  });
}
