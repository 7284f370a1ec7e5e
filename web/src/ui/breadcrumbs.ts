/**
 * Breadcrumbs of the current selection (server › suite › family › task), each a link that
 * selects that node, and a "Copy path" button.
 */

import type { Store } from '../store.js';
import { copyText } from '../tree/tree-keys.js';
import { button, h } from './dom.js';

export function mountBreadcrumbs(host: HTMLElement, store: Store): void {
  const nav = h('nav', 'breadcrumbs', undefined, { 'aria-label': 'Breadcrumbs' });
  const list = h('ol');
  const copy = button('Copy path', () => {
    const first = store.getSelection()[0];
    if (first === undefined) return;
    const text = first.path === '/' ? first.server : first.path;
    void copyText(text).then(() => store.status(`Copied ${text}`));
  }, 'btn small', 'Copy the selected node path (Ctrl+C in the tree)');
  nav.append(list, copy);
  host.append(nav);

  const render = (): void => {
    list.replaceChildren();
    const first = store.getSelection()[0];
    copy.disabled = first === undefined;
    if (first === undefined) {
      list.append(h('li', 'muted', 'Nothing selected'));
      return;
    }
    const segs = first.path.split('/').filter((s) => s !== '');
    const crumbs: Array<{ label: string; path: string }> = [{ label: first.server, path: '/' }];
    let p = '';
    for (const s of segs) {
      p += '/' + s;
      crumbs.push({ label: s, path: p });
    }
    crumbs.forEach((c, k) => {
      const li = h('li');
      if (k === crumbs.length - 1) {
        li.append(h('span', 'current', c.label, { 'aria-current': 'location' }));
      } else {
        li.append(button(c.label, () => store.reveal(first.server, c.path, true), 'link'));
      }
      list.append(li);
    });
    if (first.kind === 'attribute') list.append(h('li', 'muted', first.attribute?.kind ?? 'attribute'));
  };
  store.events.on('selection', render);
  render();
}
