/**
 * The virtualized tree: one scroller (role=tree) with a sticky layer of recycled row elements
 * (fixed height) and a spacer giving the (scaled, see scroll-scale.ts) scroll height. Only the
 * rows in view exist in the DOM; a row element is bound to `row index % pool size`, so scrolling
 * by one row rewrites one element and moves the others. Renders at most once per animation frame,
 * and only rows whose content key changed.
 *
 * Accessibility: role=tree + aria-activedescendant on the scroller; rows are role=treeitem with
 * aria-level/-setsize/-posinset/-expanded/-selected, the node NAME as aria-label and the state as
 * visually hidden text.
 */

import type { AppApi } from '../app-api.js';
import type { Store } from '../store.js';
import { healthView, since } from '../ui/health.js';
import { renderAttribute } from './attr-render.js';
import { sameRow, type RowRef } from './forest.js';
import { scrollSpace, scrollTopFromVirt, virtFromScrollTop, type ScrollSpace } from './scroll-scale.js';
import { ROOT } from './snapshot-decode.js';
import { SERVER_COLOURS, flagIcons, stateColour, stateText } from './state-style.js';
import { handleTreeKey } from './tree-keys.js';

export const ROW_PX = 20;
const INDENT_PX = 16;

interface Slot {
  readonly el: HTMLDivElement;
  readonly twisty: HTMLSpanElement;
  readonly box: HTMLSpanElement;
  readonly label: HTMLSpanElement;
  readonly extra: HTMLSpanElement;
  readonly sr: HTMLSpanElement;
  row: RowRef | undefined;
  index: number;
  key: string;
  top: number;
}

export interface TreeViewOptions {
  /** Right-click on a row (after selecting it): the actions module's context menu. */
  onContextMenu?: (event: MouseEvent) => void;
  /** Enter / double-click on a task: open the panel. */
  onOpen?: () => void;
}

export class TreeView {
  readonly el: HTMLDivElement;
  private readonly layer: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private slots: Slot[] = [];
  private virt = 0;
  private viewPx = 0;
  private total = 0;
  private space: ScrollSpace = { realPx: 0, ratio: 1, maxVirt: 0 };
  private expectedScrollTop = -1;
  /** scrollTop as last set or seen (reading it back would force a layout). */
  private knownScrollTop = 0;
  private scrollDirty = false;
  private frame = 0;
  private rowsDirty = true;
  private readonly firstPaint = new Set<string>();

  constructor(
    private readonly store: Store,
    readonly app: AppApi,
    private readonly options: TreeViewOptions = {},
  ) {
    const el = document.createElement('div');
    el.className = 'tree';
    el.setAttribute('role', 'tree');
    el.setAttribute('aria-label', 'Servers and nodes');
    el.setAttribute('aria-multiselectable', 'true');
    el.tabIndex = 0;
    this.el = el;
    this.layer = document.createElement('div');
    this.layer.className = 'tree-layer';
    this.layer.setAttribute('role', 'presentation');
    this.spacer = document.createElement('div');
    this.spacer.className = 'tree-spacer';
    this.spacer.setAttribute('role', 'presentation');
    el.append(this.layer, this.spacer);

    el.addEventListener('scroll', () => this.onScroll(), { passive: true });
    el.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    el.addEventListener('keydown', (e) => handleTreeKey(this, this.store, e));
    el.addEventListener('focus', () => this.schedule());
    el.addEventListener('blur', () => this.schedule());
    this.layer.addEventListener('click', (e) => this.onClick(e));
    this.layer.addEventListener('dblclick', (e) => this.onDoubleClick(e));
    this.layer.addEventListener('contextmenu', (e) => this.onContextMenu(e));
    new ResizeObserver(() => this.onResize()).observe(el);

    store.events.on('rows', () => {
      this.rowsDirty = true;
      this.schedule();
    });
    store.events.on('redraw', () => this.schedule());
    store.events.on('socket', () => this.schedule());
    store.events.on('servers', () => this.schedule());
    store.events.on('reveal', ({ row, focus }) => {
      this.measure();
      const g = this.store.forest.indexOf(row);
      if (g >= 0) this.scrollToIndex(g, 'center');
      if (focus) this.el.focus({ preventScroll: true });
    });
    // Keep "synced 12s ago" fresh.
    setInterval(() => this.schedule(), 5000);
  }

  // ---- geometry ----

  get pageRows(): number {
    return Math.max(1, Math.floor(this.viewPx / ROW_PX) - 1);
  }

  get rowCount(): number {
    this.measure();
    return this.total;
  }

  private measure(): void {
    if (!this.rowsDirty) return;
    this.rowsDirty = false;
    this.total = this.store.forest.total();
    this.space = scrollSpace(this.total, ROW_PX, this.viewPx);
    this.spacer.style.height = `${Math.max(0, this.space.realPx - this.viewPx)}px`;
    this.setVirt(this.virt);
  }

  private onResize(): void {
    const h = this.el.clientHeight;
    if (h === this.viewPx) return;
    this.viewPx = h;
    this.layer.style.height = `${h}px`;
    const need = Math.ceil(h / ROW_PX) + 2;
    while (this.slots.length < need) this.slots.push(this.makeSlot(this.slots.length));
    while (this.slots.length > need) this.slots.pop()!.el.remove();
    for (const s of this.slots) s.top = NaN;
    for (const s of this.slots) s.key = '';
    this.rowsDirty = true;
    this.schedule();
  }

  /** Move the virtual offset; the scrollbar follows in the next render (no forced layout now). */
  private setVirt(v: number): void {
    this.virt = Math.max(0, Math.min(this.space.maxVirt, v));
    this.scrollDirty = true;
    this.schedule();
  }

  private applyScrollTop(): void {
    if (!this.scrollDirty) return;
    this.scrollDirty = false;
    const top = scrollTopFromVirt(this.space, this.virt);
    if (Math.abs(this.knownScrollTop - top) >= 1) {
      this.expectedScrollTop = top;
      this.knownScrollTop = top;
      this.el.scrollTop = top;
    }
  }

  private onScroll(): void {
    const st = this.el.scrollTop;
    this.knownScrollTop = st;
    if (this.expectedScrollTop >= 0 && Math.abs(st - this.expectedScrollTop) < 1.5) {
      this.expectedScrollTop = -1;
      return;
    }
    this.expectedScrollTop = -1;
    this.virt = virtFromScrollTop(this.space, st);
    this.scrollDirty = false;
    this.schedule();
  }

  private onWheel(e: WheelEvent): void {
    // Native scrolling is exact without scaling; with scaling, move the virtual offset 1:1.
    if (this.space.ratio <= 1.01 || e.ctrlKey) return;
    e.preventDefault();
    const dy = e.deltaMode === 1 ? e.deltaY * ROW_PX : e.deltaMode === 2 ? e.deltaY * this.viewPx : e.deltaY;
    this.setVirt(this.virt + dy);
    this.schedule();
  }

  /** Bring row g into view ('nearest' edge, or centred). */
  scrollToIndex(g: number, how: 'nearest' | 'center' = 'nearest'): void {
    this.measure();
    const top = g * ROW_PX;
    if (how === 'center') this.setVirt(top - (this.viewPx - ROW_PX) / 2);
    else if (top < this.virt) this.setVirt(top);
    else if (top + ROW_PX > this.virt + this.viewPx) this.setVirt(top + ROW_PX - this.viewPx);
    this.schedule();
  }

  // ---- rendering ----

  schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Render now (tests and benchmarks call it through the frame). */
  render(): void {
    this.measure();
    this.applyScrollTop();
    const pool = this.slots.length;
    if (pool === 0) return;
    const first = Math.floor(this.virt / ROW_PX);
    const offset = this.virt - first * ROW_PX;
    const count = Math.max(0, Math.min(pool, this.total - first));
    const focus = this.store.focusRow();
    let focusId = '';
    let ref = count > 0 ? this.store.forest.rowAt(first) : undefined;
    const used = new Set<number>();
    // Row elements stay in display order in the DOM (screen readers browse in DOM order): a
    // scroll by one row moves one element.
    let prev: Element | null = null;
    for (let j = 0; j < count && ref !== undefined; j++) {
      const g = first + j;
      const slot = this.slots[g % pool]!;
      used.add(g % pool);
      const top = j * ROW_PX - offset;
      const want: ChildNode | null = prev === null ? this.layer.firstChild : prev.nextSibling;
      if (want !== slot.el) this.layer.insertBefore(slot.el, want);
      prev = slot.el;
      if (slot.top !== top) {
        slot.top = top;
        slot.el.style.transform = `translateY(${top}px)`;
      }
      this.fill(slot, ref, g, sameRow(ref, focus));
      if (sameRow(ref, focus)) focusId = slot.el.id;
      ref = this.store.forest.next(ref);
    }
    for (let k = 0; k < pool; k++) {
      if (used.has(k)) continue;
      const s = this.slots[k]!;
      if (s.el.isConnected) {
        // Unused row elements leave the document (a detached element is never found by name,
        // and tools holding it see it is gone).
        s.el.remove();
        s.row = undefined;
        s.key = '';
      }
    }
    if (focusId !== '') this.el.setAttribute('aria-activedescendant', focusId);
    else this.el.removeAttribute('aria-activedescendant');
    this.markFirstPaint();
  }

  private markFirstPaint(): void {
    for (const e of this.store.entries) {
      if (e.tree === undefined || this.firstPaint.has(e.name)) continue;
      this.firstPaint.add(e.name);
      performance.mark('ecflow:tree-painted', { detail: { server: e.name, nodes: e.tree.n } });
    }
  }

  /** The row shown by a row element (event delegation). */
  rowFromEvent(e: Event): { row: RowRef; index: number; slot: Slot } | undefined {
    const el = (e.target as Element | null)?.closest('.row');
    const slot = this.slots.find((s) => s.el === el);
    return slot?.row === undefined ? undefined : { row: slot.row, index: slot.index, slot };
  }

  private makeSlot(k: number): Slot {
    const el = document.createElement('div');
    el.className = 'row';
    el.id = `tree-row-${k}`;
    el.setAttribute('role', 'treeitem');
    const twisty = document.createElement('span');
    twisty.className = 'twisty';
    twisty.setAttribute('aria-hidden', 'true');
    const box = document.createElement('span');
    box.className = 'box';
    box.setAttribute('aria-hidden', 'true');
    const label = document.createElement('span');
    label.className = 'label';
    const extra = document.createElement('span');
    extra.className = 'extra';
    const sr = document.createElement('span');
    sr.className = 'sr-only state';
    el.append(twisty, box, label, extra, sr);
    return { el, twisty, box, label, extra, sr, row: undefined, index: -1, key: '', top: NaN };
  }

  private fill(slot: Slot, r: RowRef, g: number, focused: boolean): void {
    const e = this.store.entries[r.s]!;
    const tree = e.tree;
    const selected = this.store.isSelected(r);
    slot.row = r;
    slot.index = g;
    let key: string;
    if (r.node === ROOT) {
      const h = e.server.health;
      key = `S${r.s}|${e.name}|${e.expanded}|${tree?.epoch}|${tree?.rootVis}|${e.info?.state}|${h.state}|${h.lastSync}|${h.certificateValidTo}|${h.certificateExpired}|${e.resyncing}|${this.store.socket.state}|${Math.floor(Date.now() / 5000)}`;
    } else if (r.attr >= 0) {
      // Missing or stale attributes are asked for while shown (debounced, batched).
      e.attrs?.want(r.node);
      const a = e.attrs?.get(r.node)?.[r.attr];
      key = `A${r.s}|${tree!.epoch}|${r.node}|${r.attr}|${a === undefined ? '' : JSON.stringify(a)}`;
    } else {
      const t = tree!.t;
      key = `N${r.s}|${tree!.epoch}|${r.node}|${t.state[r.node]}|${t.flags[r.node]}|${tree!.expanded[r.node]}|${tree!.version}`;
    }
    key += `|${selected}|${focused}`;
    if (key === slot.key) return;
    slot.key = key;
    const el = slot.el;
    const kindClass = r.node === ROOT ? this.fillServer(slot, r) : r.attr >= 0 ? this.fillAttribute(slot, r) : this.fillNode(slot, r);
    el.className = `row ${kindClass}${selected ? ' selected' : ''}${focused ? ' focused' : ''}`;
    el.setAttribute('aria-selected', String(selected));
  }

  private setExpander(slot: Slot, expandable: boolean, expanded: boolean): void {
    slot.twisty.textContent = expandable ? (expanded ? '▾' : '▸') : '';
    if (expandable) slot.el.setAttribute('aria-expanded', String(expanded));
    else slot.el.removeAttribute('aria-expanded');
  }

  private fillServer(slot: Slot, r: RowRef): string {
    const e = this.store.entries[r.s]!;
    const el = slot.el;
    el.style.paddingLeft = '4px';
    el.setAttribute('aria-level', '1');
    el.setAttribute('aria-posinset', String(r.s + 1));
    el.setAttribute('aria-setsize', String(this.store.entries.length));
    el.setAttribute('aria-label', e.name);
    this.setExpander(slot, e.tree === undefined || e.tree.n > 0, e.expanded);
    const socketOpen = this.store.socket.state === 'open';
    const hv = healthView(e.server.health, socketOpen);
    const connected = socketOpen && e.server.health.state === 'connected' && e.info !== undefined;
    slot.box.style.background = connected ? SERVER_COLOURS[e.info!.state] : SERVER_COLOURS.disconnected;
    slot.label.textContent = e.name;
    const sync = since(e.server.health.lastSync ?? e.syncedAt);
    const state = e.info?.state ?? 'not synced';
    slot.extra.innerHTML = '';
    const host = document.createElement('span');
    host.className = 'muted';
    host.textContent = `${e.server.host}:${e.server.port}`;
    const badge = document.createElement('span');
    badge.className = `badge ${hv.level}`;
    badge.textContent = hv.text;
    badge.title = hv.title;
    slot.extra.append(host, badge);
    if (hv.cert !== '') {
      const cert = document.createElement('span');
      cert.className = `badge ${hv.certLevel}`;
      cert.textContent = hv.cert;
      cert.title = hv.title;
      slot.extra.append(cert);
    }
    if (e.resyncing) {
      const rs = document.createElement('span');
      rs.className = 'badge warn';
      rs.textContent = 'resyncing';
      slot.extra.append(rs);
    }
    if (sync !== '') {
      const s = document.createElement('span');
      s.className = 'muted sync';
      s.textContent = `synced ${sync}`;
      slot.extra.append(s);
    }
    slot.sr.textContent = `${state}, ${hv.text}`;
    el.title = `${e.name} (${e.server.host}:${e.server.port}) — ${state}\n${hv.title}`;
    return 'kind-server';
  }

  private fillNode(slot: Slot, r: RowRef): string {
    const e = this.store.entries[r.s]!;
    const tree = e.tree!;
    const t = tree.t;
    const i = r.node;
    const el = slot.el;
    const kind = ['suite', 'family', 'task', 'alias'][t.kind[i]!] ?? 'task';
    const level = t.depth[i]! + 2;
    el.style.paddingLeft = `${4 + (level - 1) * INDENT_PX}px`;
    el.setAttribute('aria-level', String(level));
    const pos = tree.positionInSet({ node: i, attr: -1 });
    el.setAttribute('aria-posinset', String(pos.pos));
    el.setAttribute('aria-setsize', String(pos.size));
    const name = tree.name(i);
    el.setAttribute('aria-label', name);
    this.setExpander(slot, tree.isExpandable(i), tree.isExpanded(i));
    const st = t.state[i]!;
    slot.box.style.background = stateColour(st);
    slot.box.classList.toggle('susp', (st & 8) !== 0);
    slot.box.style.setProperty('--real', stateColour(st & 7));
    slot.label.textContent = name;
    const icons = flagIcons(t.flags[i]!);
    slot.extra.innerHTML = icons.html;
    const text = stateText(st);
    slot.sr.textContent = icons.text === '' ? text : `${text}, ${icons.text}`;
    el.title = `${tree.path(i)}\n${kind}, ${text}${icons.text !== '' ? '\nflags: ' + icons.text : ''}`;
    return `kind-${kind}`;
  }

  private fillAttribute(slot: Slot, r: RowRef): string {
    const e = this.store.entries[r.s]!;
    const tree = e.tree!;
    const el = slot.el;
    const level = tree.t.depth[r.node]! + 3;
    el.style.paddingLeft = `${4 + (level - 1) * INDENT_PX}px`;
    el.setAttribute('aria-level', String(level));
    const pos = tree.positionInSet(r);
    el.setAttribute('aria-posinset', String(pos.pos));
    el.setAttribute('aria-setsize', String(pos.size));
    this.setExpander(slot, false, false);
    slot.box.style.background = '';
    slot.label.textContent = '';
    const a = e.attrs?.get(r.node)?.[r.attr];
    if (a === undefined) {
      slot.extra.innerHTML = '<span class="muted">…</span>';
      el.setAttribute('aria-label', 'attribute (loading)');
      slot.sr.textContent = '';
      el.title = '';
      return 'attr';
    }
    const v = renderAttribute(a);
    slot.extra.innerHTML = v.html;
    el.setAttribute('aria-label', v.text);
    slot.sr.textContent = '';
    el.title = v.text;
    return `attr attr-${a.kind}`;
  }

  // ---- mouse ----

  private onClick(e: MouseEvent): void {
    const hit = this.rowFromEvent(e);
    if (hit === undefined) return;
    this.el.focus({ preventScroll: true });
    if ((e.target as Element).closest('.twisty') !== null) {
      this.toggle(hit.row, e.shiftKey || e.altKey);
      return;
    }
    if (e.shiftKey) this.selectRange(hit.row, hit.index);
    else if (e.ctrlKey || e.metaKey) this.store.selectRows([hit.row], hit.row, 'toggle');
    else this.store.selectRows([hit.row], hit.row);
  }

  private onDoubleClick(e: MouseEvent): void {
    const hit = this.rowFromEvent(e);
    if (hit === undefined || (e.target as Element).closest('.twisty') !== null) return;
    const entry = this.store.entries[hit.row.s]!;
    const expandable = hit.row.node === ROOT || (entry.tree?.isExpandable(hit.row.node) ?? false);
    const container = hit.row.node === ROOT || (entry.tree !== undefined && hit.row.attr < 0 && entry.tree.hasChildren(hit.row.node));
    if (container && expandable) this.toggle(hit.row, false);
    else this.options.onOpen?.();
  }

  private onContextMenu(e: MouseEvent): void {
    const hit = this.rowFromEvent(e);
    if (hit === undefined) return;
    if (!this.store.isSelected(hit.row)) this.store.selectRows([hit.row], hit.row);
    if (this.options.onContextMenu !== undefined) {
      e.preventDefault();
      this.options.onContextMenu(e);
    }
  }

  /** Expand/collapse a row (below = the whole subtree). */
  toggle(r: RowRef, below: boolean): void {
    const e = this.store.entries[r.s];
    if (e === undefined || r.attr >= 0) return;
    const open = r.node === ROOT ? e.expanded : (e.tree?.isExpanded(r.node) ?? false);
    this.store.setExpanded(r, !open, below);
  }

  /** Shift-click / Shift-arrow: everything between the anchor and row g. */
  selectRange(r: RowRef, g: number): void {
    const anchor = this.store.anchorRow();
    const a = anchor === undefined ? -1 : this.store.forest.indexOf(anchor);
    if (a < 0) {
      this.store.selectRows([r], r);
      return;
    }
    const from = Math.min(a, g);
    const to = Math.min(Math.max(a, g), from + 50_000);
    const rows: RowRef[] = [];
    let ref = this.store.forest.rowAt(from);
    for (let k = from; k <= to && ref !== undefined; k++) {
      rows.push(ref);
      ref = this.store.forest.next(ref);
    }
    this.store.selectRows(rows, r, 'add');
  }

  /** Options given at construction (for the key handler). */
  get handlers(): TreeViewOptions {
    return this.options;
  }
}
