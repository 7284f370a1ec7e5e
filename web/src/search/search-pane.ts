/**
 * The search pane (reference §1.6): name or path with wildcard / regular expression / substring /
 * exact match, states, kinds and flags, over all servers or one. The search runs in the sync
 * worker, in slices; typing again (or "Stop") cancels the running one. Results show their live
 * state and select the node in the tree when clicked.
 */

import { Flag } from '../../../src/model/types.js';
import type { Connection } from '../connection.js';
import type { Store } from '../store.js';
import { KIND_NAMES, type KindName } from '../tree/snapshot-decode.js';
import { STATE_NAMES, stateColour, stateText } from '../tree/state-style.js';
import { button, h } from '../ui/dom.js';
import { VirtualList } from '../ui/virtual-list.js';
import type { FromWorker } from '../worker/worker-messages.js';
import type { SearchHit, SearchQuery, TextMatch } from './search-query.js';

const SEARCH_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ['late', Flag.LATE],
  ['zombie', Flag.ZOMBIE],
  ['message', Flag.MESSAGE],
  ['killed', Flag.KILLED],
  ['waiting', Flag.WAIT],
  ['force aborted', Flag.FORCE_ABORT],
  ['no script', Flag.NO_SCRIPT],
  ['job cmd failed', Flag.JOBCMD_FAILED],
  ['archived', Flag.ARCHIVED],
  ['restored', Flag.RESTORED],
  ['threshold', Flag.THRESHOLD],
];

export class SearchPane {
  readonly el: HTMLElement;
  private readonly text: HTMLInputElement;
  private readonly match: HTMLSelectElement;
  private readonly caseBox: HTMLInputElement;
  private readonly server: HTMLSelectElement;
  private readonly states = new Map<number, HTMLInputElement>();
  private readonly kinds = new Map<KindName, HTMLInputElement>();
  private readonly flags = new Map<number, HTMLInputElement>();
  private readonly statusEl: HTMLElement;
  private readonly stopBtn: HTMLButtonElement;
  private readonly list: VirtualList;
  private hits: SearchHit[] = [];
  private searchId = 0;
  private running = false;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private started = 0;

  constructor(
    private readonly store: Store,
    private readonly conn: Connection,
  ) {
    this.el = h('section', 'search-pane', undefined, { 'aria-label': 'Search' });
    const form = h('form', 'search-form', undefined, { role: 'search', 'aria-label': 'Search nodes' });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.run();
    });
    this.text = h('input', 'search-text', undefined, { type: 'search', 'aria-label': 'Search text', placeholder: 'name or /path — wildcards * ?' });
    this.text.addEventListener('input', () => this.later());
    this.match = h('select', '', undefined, { 'aria-label': 'Match' });
    for (const [v, label] of [
      ['wildcard', 'wildcard'],
      ['regex', 'regexp'],
      ['contains', 'contains'],
      ['exact', 'exact'],
    ] as const) {
      const o = h('option', '', label);
      o.value = v;
      this.match.append(o);
    }
    this.match.addEventListener('change', () => this.later(0));
    const caseLabel = h('label', 'check');
    this.caseBox = h('input', '', undefined, { type: 'checkbox' });
    this.caseBox.addEventListener('change', () => this.later(0));
    caseLabel.append(this.caseBox, document.createTextNode('Aa'));
    caseLabel.title = 'Case sensitive';
    this.server = h('select', '', undefined, { 'aria-label': 'Server' });
    this.server.addEventListener('change', () => this.later(0));
    const go = h('button', 'btn', 'Search');
    go.type = 'submit';
    this.stopBtn = button('Stop', () => this.stop(), 'btn');
    this.stopBtn.disabled = true;
    const row1 = h('div', 'search-row');
    row1.append(this.text, this.match, caseLabel, this.server, go, this.stopBtn);

    const more = h('details', 'search-more');
    more.append(h('summary', '', 'States, kinds, flags'));
    const groups = h('div', 'search-groups');
    groups.append(
      this.checkGroup('States', [...[5, 4, 3, 2, 1, 0].map((s) => [STATE_NAMES[s]!, s] as const), ['suspended', 8] as const], this.states, true),
      this.checkGroup('Kinds', KIND_NAMES.map((k) => [k, k] as const), this.kinds, false),
      this.checkGroup('Flags', SEARCH_FLAGS, this.flags, false),
    );
    more.append(groups);
    form.append(row1, more);

    this.statusEl = h('div', 'search-status', '', { role: 'status', 'aria-live': 'polite' });
    this.list = new VirtualList({
      rowPx: 22,
      label: 'Search results',
      count: () => this.hits.length,
      render: (el, i) => this.renderHit(el, i),
      onActivate: (i) => {
        const hit = this.hits[i];
        if (hit !== undefined) this.store.reveal(hit.server, hit.path, false);
      },
    });
    this.el.append(form, this.statusEl, this.list.el);

    store.events.on('servers', () => this.fillServers());
    store.events.on('change', () => this.list.refresh());
    this.fillServers();
  }

  focus(): void {
    this.text.focus();
    this.text.select();
  }

  private checkGroup<K>(title: string, items: ReadonlyArray<readonly [string, K]>, into: Map<K, HTMLInputElement>, colours: boolean): HTMLElement {
    const fs = h('fieldset', 'check-group');
    fs.append(h('legend', '', title));
    for (const [label, value] of items) {
      const l = h('label', 'check');
      const input = h('input', '', undefined, { type: 'checkbox' });
      input.addEventListener('change', () => this.later(0));
      l.append(input);
      if (colours) {
        const sw = h('span', 'swatch', undefined, { 'aria-hidden': 'true' });
        sw.style.background = stateColour(value as number);
        l.append(sw);
      }
      l.append(document.createTextNode(label));
      into.set(value, input);
      fs.append(l);
    }
    return fs;
  }

  private fillServers(): void {
    const keep = this.server.value;
    this.server.replaceChildren();
    const all = h('option', '', 'all servers');
    all.value = '';
    this.server.append(all);
    for (const e of this.store.entries) {
      const o = h('option', '', e.name);
      o.value = e.name;
      this.server.append(o);
    }
    this.server.value = [...this.server.options].some((o) => o.value === keep) ? keep : '';
  }

  query(): SearchQuery {
    const picked = <K>(m: Map<K, HTMLInputElement>): K[] => [...m].filter(([, b]) => b.checked).map(([k]) => k);
    let flags = 0;
    for (const f of picked(this.flags)) flags |= 1 << f;
    return {
      text: this.text.value,
      match: this.match.value as TextMatch,
      on: 'auto',
      caseSensitive: this.caseBox.checked,
      states: picked(this.states),
      kinds: picked(this.kinds),
      flags,
      servers: this.server.value === '' ? [] : [this.server.value],
      limit: 10000,
    };
  }

  private later(ms = 250): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.run(), ms);
  }

  /** Start a search (cancelling the one running). */
  run(): void {
    clearTimeout(this.debounce);
    const q = this.query();
    const empty = q.text.trim() === '' && q.states.length === 0 && q.kinds.length === 0 && q.flags === 0;
    if (this.running) this.conn.cancelSearch(this.searchId);
    this.searchId++;
    this.hits = [];
    this.list.reset();
    if (empty) {
      this.running = false;
      this.stopBtn.disabled = true;
      this.statusEl.textContent = '';
      return;
    }
    this.running = true;
    this.stopBtn.disabled = false;
    this.started = performance.now();
    this.statusEl.textContent = 'Searching…';
    this.conn.search(this.searchId, q);
  }

  stop(): void {
    if (!this.running) return;
    this.conn.cancelSearch(this.searchId);
    this.running = false;
    this.stopBtn.disabled = true;
    this.statusEl.textContent = `Stopped: ${this.hits.length} found so far`;
  }

  onResults(m: Extract<FromWorker, { t: 'search-results' }>): void {
    if (m.id !== this.searchId || !this.running) return;
    if (m.error !== undefined) {
      this.running = false;
      this.stopBtn.disabled = true;
      this.statusEl.textContent = `Bad pattern: ${m.error}`;
      return;
    }
    for (const hit of m.hits) this.hits.push(hit);
    const ms = Math.round(performance.now() - this.started);
    if (m.done) {
      this.running = false;
      this.stopBtn.disabled = true;
      const n = this.hits.length;
      this.statusEl.textContent = `${n === 0 ? 'No' : n} result${n === 1 ? '' : 's'}${m.truncated === true ? ' (first ' + n + ' shown)' : ''} — ${m.total.toLocaleString()} nodes in ${ms} ms`;
    } else {
      const pct = m.total > 0 ? Math.floor((m.scanned / m.total) * 100) : 0;
      this.statusEl.textContent = `Searching… ${pct}% — ${this.hits.length} found`;
    }
    this.list.refresh();
  }

  private renderHit(el: HTMLElement, i: number): void {
    const hit = this.hits[i]!;
    const e = this.store.entry(hit.server);
    const tree = e?.tree;
    let node = -2;
    if (tree !== undefined) node = tree.epoch === hit.epoch ? hit.node : tree.find(hit.path);
    const state = tree !== undefined && node >= 0 ? tree.t.state[node]! : 0;
    const multi = this.store.entries.length > 1;
    const key = `${hit.server}|${hit.path}|${state}|${node >= 0}`;
    if (el.dataset['key'] === key) return;
    el.dataset['key'] = key;
    el.replaceChildren();
    const box = h('span', 'box', undefined, { 'aria-hidden': 'true' });
    box.style.background = node >= 0 ? stateColour(state) : 'transparent';
    el.append(box);
    if (multi) el.append(h('span', 'muted server', hit.server));
    el.append(h('span', 'path', hit.path));
    el.append(h('span', 'sr-only', node >= 0 ? stateText(state) : 'gone'));
    el.title = `${hit.server}:${hit.path}${node >= 0 ? ' — ' + stateText(state) : ' (no longer in the tree)'}`;
    el.setAttribute('aria-label', `${hit.server} ${hit.path}`);
  }
}
