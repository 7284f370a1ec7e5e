/**
 * The Problems view: aborted, late and zombie nodes of every server in one sortable list (server,
 * path, state, since). A click selects the node in the tree. Re-sorted at most once per frame and
 * only while shown.
 */

import type { Store } from '../store.js';
import { stateColour, stateText } from '../tree/state-style.js';
import { button, h } from '../ui/dom.js';
import { since } from '../ui/health.js';
import { VirtualList } from '../ui/virtual-list.js';
import { REASON_NAMES, type Problem, type Problems } from './problems.js';

type SortKey = 'server' | 'path' | 'state' | 'since';

function reasonText(r: number): string {
  return REASON_NAMES.filter(([bit]) => (r & bit) !== 0)
    .map(([, n]) => n)
    .join(', ');
}

export class ProblemsPane {
  readonly el: HTMLElement;
  private rows: Problem[] = [];
  private sortKey: SortKey = 'since';
  private sortDesc = true;
  private dirty = true;
  private visible = false;
  private readonly list: VirtualList;
  private readonly header: HTMLElement;
  private readonly summary: HTMLElement;

  constructor(
    private readonly store: Store,
    private readonly problems: Problems,
  ) {
    this.el = h('section', 'problems-pane', undefined, { 'aria-label': 'Problems' });
    this.summary = h('div', 'problems-summary', '', { role: 'status' });
    this.header = h('div', 'problems-header', undefined, { role: 'toolbar', 'aria-label': 'Sort problems' });
    for (const [key, label] of [
      ['server', 'Server'],
      ['path', 'Path'],
      ['state', 'State'],
      ['since', 'Since'],
    ] as const) {
      const b = button(label, () => this.sortBy(key), `col col-${key}`, `Sort by ${label.toLowerCase()}`);
      b.dataset['key'] = key;
      this.header.append(b);
    }
    this.list = new VirtualList({
      rowPx: 22,
      label: 'Problems list',
      count: () => this.rows.length,
      render: (el, i) => this.renderRow(el, i),
      onActivate: (i) => {
        const p = this.rows[i];
        if (p?.path !== undefined) this.store.reveal(p.server, p.path, false);
      },
    });
    this.el.append(this.summary, this.header, this.list.el);
    problems.events.on('changed', () => {
      this.dirty = true;
      if (this.visible) this.list.refresh();
      this.refresh();
    });
    store.events.on('change', () => {
      if (this.visible) this.list.refresh();
    });
    setInterval(() => {
      if (this.visible) this.list.refresh();
    }, 10_000);
    this.showSort();
  }

  setVisible(on: boolean): void {
    this.visible = on;
    if (on) this.refresh();
  }

  private sortBy(key: SortKey): void {
    if (this.sortKey === key) this.sortDesc = !this.sortDesc;
    else {
      this.sortKey = key;
      this.sortDesc = key === 'since';
    }
    this.dirty = true;
    this.showSort();
    this.refresh();
  }

  private showSort(): void {
    for (const b of this.header.querySelectorAll<HTMLButtonElement>('button')) {
      const on = b.dataset['key'] === this.sortKey;
      b.setAttribute('aria-pressed', String(on));
      b.dataset['dir'] = on ? (this.sortDesc ? 'desc' : 'asc') : '';
    }
  }

  private refresh(): void {
    const n = this.problems.count;
    this.summary.textContent = n === 0 ? 'No aborted, late or zombie nodes' : `${n} problem${n === 1 ? '' : 's'} on ${this.store.entries.length} server${this.store.entries.length === 1 ? '' : 's'}`;
    if (!this.visible || !this.dirty) return;
    this.dirty = false;
    const rows = this.problems.list();
    const dir = this.sortDesc ? -1 : 1;
    const stateOf = (p: Problem): number => this.store.entry(p.server)?.tree?.t.state[p.node] ?? 0;
    const cmp: Record<SortKey, (a: Problem, b: Problem) => number> = {
      server: (a, b) => a.server.localeCompare(b.server) || (a.path ?? '').localeCompare(b.path ?? ''),
      path: (a, b) => (a.path ?? '').localeCompare(b.path ?? '') || a.server.localeCompare(b.server),
      state: (a, b) => a.reasons - b.reasons || stateOf(a) - stateOf(b) || (a.path ?? '').localeCompare(b.path ?? ''),
      since: (a, b) => a.since - b.since || (a.path ?? '').localeCompare(b.path ?? ''),
    };
    const c = cmp[this.sortKey];
    rows.sort((a, b) => dir * c(a, b));
    this.rows = rows;
    this.list.refresh();
  }

  private renderRow(el: HTMLElement, i: number): void {
    const p = this.rows[i]!;
    const tree = this.store.entry(p.server)?.tree;
    const live = tree !== undefined && tree.epoch === p.epoch;
    const state = live ? tree.t.state[p.node]! : 0;
    el.replaceChildren();
    const box = h('span', 'box', undefined, { 'aria-hidden': 'true' });
    box.style.background = stateColour(state);
    const when = new Date(p.since);
    el.append(
      box,
      h('span', 'col col-server', p.server),
      h('span', 'col col-path', p.path ?? '?'),
      h('span', 'col col-state', reasonText(p.reasons)),
      h('span', 'col col-since', since(p.since), { title: when.toLocaleString() }),
    );
    el.title = `${p.server}:${p.path ?? ''} — ${stateText(state)}; ${reasonText(p.reasons)} since ${when.toLocaleTimeString()}`;
    el.setAttribute('aria-label', `${p.server} ${p.path ?? ''} ${reasonText(p.reasons)}`);
  }
}
