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

/** One formatter for every row (Date#toLocaleString builds one per call). */
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });

/** Plain code-unit order (localeCompare is ~10× slower on 10k rows of paths). */
function cmpText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

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
  private timer: ReturnType<typeof setTimeout> | undefined;
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
        if (p !== undefined) this.store.reveal(p.server, this.problems.pathOf(p), false);
      },
    });
    this.el.append(this.summary, this.header, this.list.el);
    problems.events.on('changed', () => {
      this.dirty = true;
      this.schedule();
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
    if (on) this.schedule();
  }

  /** Re-sort in a task of its own (not in the one that applied a snapshot, nor in a tree frame). */
  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, 30);
  }

  private sortBy(key: SortKey): void {
    if (this.sortKey === key) this.sortDesc = !this.sortDesc;
    else {
      this.sortKey = key;
      this.sortDesc = key === 'since';
    }
    this.dirty = true;
    this.showSort();
    this.schedule();
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
    // Ties go by tree order (server order, then pre-order index): no paths needed. Only a sort
    // by path builds every path (once per problem).
    const order = new Map(this.store.entries.map((e, k) => [e.name, k]));
    const treeOrder = (a: Problem, b: Problem): number => (order.get(a.server) ?? 0) - (order.get(b.server) ?? 0) || a.node - b.node;
    const pathOf = (p: Problem): string => this.problems.pathOf(p);
    const cmp: Record<SortKey, (a: Problem, b: Problem) => number> = {
      server: (a, b) => cmpText(a.server, b.server) || a.node - b.node,
      path: (a, b) => cmpText(pathOf(a), pathOf(b)) || cmpText(a.server, b.server),
      state: (a, b) => a.reasons - b.reasons || stateOf(a) - stateOf(b) || treeOrder(a, b),
      since: (a, b) => a.since - b.since || dir * treeOrder(a, b),
    };
    const c = cmp[this.sortKey];
    rows.sort((a, b) => dir * c(a, b));
    this.rows = rows;
    this.list.refresh();
  }

  private renderRow(el: HTMLElement, i: number): void {
    const p = this.rows[i]!;
    const path = this.problems.pathOf(p);
    const tree = this.store.entry(p.server)?.tree;
    const live = tree !== undefined && tree.epoch === p.epoch;
    const state = live ? tree.t.state[p.node]! : 0;
    el.replaceChildren();
    const box = h('span', 'box', undefined, { 'aria-hidden': 'true' });
    box.style.background = stateColour(state);
    const when = timeFormat.format(p.since);
    el.append(
      box,
      h('span', 'col col-server', p.server),
      h('span', 'col col-path', path),
      h('span', 'col col-state', reasonText(p.reasons)),
      h('span', 'col col-since', since(p.since), { title: when }),
    );
    el.title = `${p.server}:${path} — ${stateText(state)}; ${reasonText(p.reasons)} since ${when}`;
    el.setAttribute('aria-label', `${p.server} ${path} ${reasonText(p.reasons)}`);
  }
}
