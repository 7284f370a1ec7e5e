/**
 * The drawer under the tree: tabs "Search" and "Problems (n)", hidden with ×. Which tab is open
 * is kept in localStorage (Problems by default).
 */

import type { Connection } from '../connection.js';
import type { Problems } from '../problems/problems.js';
import { ProblemsPane } from '../problems/problems-pane.js';
import { SearchPane } from '../search/search-pane.js';
import type { Store } from '../store.js';
import { button, h } from './dom.js';

const KEY = 'ecflow-remote.drawer';
export type DrawerTab = 'search' | 'problems';

export interface Drawer {
  readonly search: SearchPane;
  show(which: DrawerTab | undefined): void;
}

export function mountDrawer(drawer: HTMLElement, store: Store, conn: Connection, problems: Problems): Drawer {
  const tabs = h('div', 'drawer-tabs', undefined, { role: 'tablist', 'aria-label': 'Search and problems' });
  const problemsPane = new ProblemsPane(store, problems);
  const search = new SearchPane(store, conn);
  const searchTab = button('Search', () => show('search'), 'tab');
  const problemsTab = button('Problems', () => show('problems'), 'tab');
  const close = button('×', () => show(undefined), 'btn small drawer-close', 'Hide');
  for (const t of [searchTab, problemsTab]) t.setAttribute('role', 'tab');
  tabs.append(searchTab, problemsTab, close);
  const body = h('div', 'drawer-body');
  body.append(search.el, problemsPane.el);
  drawer.append(tabs, body);

  function show(which: DrawerTab | undefined): void {
    drawer.classList.toggle('open', which !== undefined);
    search.el.hidden = which !== 'search';
    problemsPane.el.hidden = which !== 'problems';
    searchTab.setAttribute('aria-selected', String(which === 'search'));
    problemsTab.setAttribute('aria-selected', String(which === 'problems'));
    problemsPane.setVisible(which === 'problems');
    close.hidden = which === undefined;
    try {
      localStorage.setItem(KEY, which ?? '');
    } catch {
      /* storage disabled */
    }
  }

  const updateCount = (): void => {
    const n = problems.count;
    problemsTab.textContent = n > 0 ? `Problems (${n})` : 'Problems';
    problemsTab.classList.toggle('alert', n > 0);
  };
  problems.events.on('changed', updateCount);
  updateCount();

  let saved: string | null = null;
  try {
    saved = localStorage.getItem(KEY);
  } catch {
    /* storage disabled */
  }
  show(saved === 'search' ? 'search' : saved === '' ? undefined : 'problems');
  return { search, show };
}
