/**
 * The app's state outside any framework: the servers (with health), one ServerTree per synced
 * server (typed arrays), the one-list Forest over them, the status filter and the selection (by
 * PATH, so it survives epochs and reconnects). Views listen to its events and read what they show.
 *
 * Snapshots and deltas arrive from the sync worker (connection.ts): a snapshot becomes a new
 * ServerTree that takes the old one's expansion over by path; deltas (merged, ≤ 10 Hz) change
 * state and flags in place and are reported as node changes for problems and notifications.
 */

import type { ServerHealth, ServerInfo, ServerMessage, UiAttribute, UiRequest, UiServer } from '../../src/server/ui-protocol.js';
import { DSTATE_NAMES, flagNames, NSTATE_NAMES } from '../../src/model/types.js';
import type { NodeChange, NodeInfo, SelectedNode } from './app-api.js';
import type { Connection } from './connection.js';
import { Emitter } from './emitter.js';
import { AttributeCache } from './tree/attribute-cache.js';
import { Forest, type ForestEntry, type RowRef } from './tree/forest.js';
import { isFilterActive, NO_FILTER, ServerTree, type StatusFilter } from './tree/server-tree.js';
import { KIND_NAMES, NONE, ROOT, type DecodedTree } from './tree/snapshot-decode.js';
import type { FromWorker, SocketState } from './worker/worker-messages.js';

export interface Entry extends ForestEntry {
  readonly name: string;
  server: UiServer;
  tree: ServerTree | undefined;
  expanded: boolean;
  info: ServerInfo | undefined;
  attrs: AttributeCache | undefined;
  /** Time (ms) of the last snapshot or delta. */
  syncedAt: number | undefined;
  /** A resync was asked for and the snapshot has not arrived yet. */
  resyncing: boolean;
}

/** One node's change from a delta: previous state and flags (the new ones are in the tree). */
export interface NodeChanges {
  readonly entry: Entry;
  /** [node, oldState, oldFlags, …] triples. */
  readonly changes: Int32Array;
}

export interface SnapshotStats {
  readonly server: string;
  readonly nodes: number;
  readonly chars: number;
  readonly parseMs: number;
  readonly decodeMs: number;
  readonly mainMs: number;
}

interface SelKey {
  readonly server: string;
  readonly path: string;
  readonly attr: number;
}

export interface SocketStatus {
  readonly state: SocketState;
  readonly attempt: number;
  readonly retryAt?: number;
  readonly reason?: string;
}

type StoreEvents = {
  servers: readonly UiServer[];
  /** Which rows exist changed (expand, filter, snapshot): the view re-measures. */
  rows: void;
  /** Row contents changed (state, attributes arrived). */
  redraw: void;
  selection: readonly SelectedNode[];
  socket: SocketStatus;
  change: NodeChange;
  snapshot: { entry: Entry; stats: SnapshotStats };
  nodes: NodeChanges;
  filter: StatusFilter;
  /** Scroll this row into view (and focus the tree when `focus`). */
  reveal: { row: RowRef; focus: boolean };
  status: { message: string; kind: 'info' | 'error' };
  resync: { server: string; reason: string };
};

const ALWAYS = (): boolean => true;

export class Store {
  readonly events = new Emitter<StoreEvents>();
  readonly entries: Entry[] = [];
  readonly forest = new Forest(() => this.entries);
  socket: SocketStatus = { state: 'connecting', attempt: 0 };
  readOnly = false;
  welcomed = false;
  filter: StatusFilter = NO_FILTER;
  readonly stats: SnapshotStats[] = [];

  private selection: SelKey[] = [];
  private anchorKey: SelKey | undefined;
  private focusKey: SelKey | undefined;
  private selIndex: Set<string> | undefined;
  private pendingReveal: { server: string; path: string } | undefined;
  private readonly serverExpanded = new Map<string, boolean>();

  constructor(private readonly conn: Connection) {}

  // ---- worker input ----

  onWorker(m: FromWorker): void {
    switch (m.t) {
      case 'socket':
        this.socket = {
          state: m.state,
          attempt: m.attempt,
          ...(m.retryInMs !== undefined ? { retryAt: Date.now() + m.retryInMs } : {}),
          ...(m.reason !== undefined ? { reason: m.reason } : {}),
        };
        if (m.state === 'open') this.conn.send({ type: 'hello', version: 1 });
        this.events.emit('socket', this.socket);
        return;
      case 'snapshot':
        this.onSnapshot(m.server, m.epoch, m.info, m.tree, { chars: m.chars, parseMs: m.parseMs, decodeMs: m.decodeMs });
        return;
      case 'deltas':
        this.onDeltas(m);
        return;
      case 'resync': {
        const e = this.entry(m.server);
        if (e !== undefined) e.resyncing = true;
        this.events.emit('resync', { server: m.server, reason: m.reason });
        this.events.emit('redraw', undefined);
        return;
      }
      default:
        return;
    }
  }

  onMessage(msg: ServerMessage): void {
    switch (msg.type) {
      case 'welcome':
        this.welcomed = true;
        this.readOnly = msg.readOnlyUi === true;
        this.setServers(msg.servers, true);
        return;
      case 'servers':
        this.setServers(msg.servers, false);
        return;
      case 'health': {
        const e = this.entry(msg.server);
        if (e === undefined) return;
        e.server = { ...e.server, health: msg.health };
        this.events.emit('servers', this.servers());
        this.events.emit('redraw', undefined);
        return;
      }
      default:
        return;
    }
  }

  private setServers(list: readonly UiServer[], subscribeAll: boolean): void {
    const old = new Map(this.entries.map((e) => [e.name, e]));
    const next: Entry[] = [];
    for (const s of list) {
      const e = old.get(s.name);
      if (e !== undefined) {
        e.server = s;
        next.push(e);
        old.delete(s.name);
        if (subscribeAll) this.conn.send({ type: 'subscribe', server: s.name });
      } else {
        next.push({
          name: s.name,
          server: s,
          tree: undefined,
          expanded: this.serverExpanded.get(s.name) ?? true,
          info: undefined,
          attrs: undefined,
          syncedAt: undefined,
          resyncing: false,
        });
        this.conn.send({ type: 'subscribe', server: s.name });
      }
    }
    for (const gone of old.values()) {
      gone.attrs?.close();
      if (!subscribeAll) this.conn.send({ type: 'unsubscribe', server: gone.name });
    }
    this.entries.splice(0, this.entries.length, ...next);
    this.selIndex = undefined;
    this.events.emit('servers', this.servers());
    this.events.emit('rows', undefined);
  }

  private onSnapshot(server: string, epoch: number, info: ServerInfo, decoded: DecodedTree, s: { chars: number; parseMs: number; decodeMs: number }): void {
    const e = this.entry(server);
    if (e === undefined) return;
    const t0 = performance.now();
    const tree = new ServerTree(server, epoch, decoded);
    if (isFilterActive(this.filter)) tree.setFilter(this.filter);
    const old = e.tree;
    if (old !== undefined) tree.carryExpansion(old);
    e.attrs?.close();
    e.tree = tree;
    e.info = info;
    e.syncedAt = Date.now();
    e.resyncing = false;
    e.attrs = new AttributeCache(server, epoch, (req) => this.request(req), (loaded) => this.onAttributes(e, tree, loaded));
    this.keepSelection(e);
    this.selIndex = undefined;
    const stats: SnapshotStats = { server, nodes: decoded.n, chars: s.chars, parseMs: s.parseMs, decodeMs: s.decodeMs, mainMs: performance.now() - t0 };
    this.stats.push(stats);
    performance.measure('ecflow:snapshot', { start: t0, duration: stats.mainMs, detail: stats });
    this.events.emit('snapshot', { entry: e, stats });
    this.events.emit('rows', undefined);
    this.events.emit('change', { server, snapshot: true, touches: ALWAYS });
    if (this.pendingReveal?.server === server) {
      const p = this.pendingReveal;
      if (this.reveal(p.server, p.path, true)) this.pendingReveal = undefined;
    }
    this.events.emit('selection', this.getSelection());
  }

  private onDeltas(m: Extract<FromWorker, { t: 'deltas' }>): void {
    const e = this.entry(m.server);
    const tree = e?.tree;
    if (e === undefined || tree === undefined || tree.epoch !== m.epoch) return;
    if (m.info !== undefined) e.info = m.info;
    e.syncedAt = Date.now();
    const nodes = m.nodes;
    const changes = new Int32Array(nodes.length);
    const touched = new Set<number>();
    const before = tree.version;
    for (let k = 0; k + 2 < nodes.length; k += 3) {
      const i = nodes[k]!;
      if (i < 0 || i >= tree.n) continue;
      const oldFlags = tree.t.flags[i]!;
      const oldState = tree.applyNode(i, (nodes[k + 1]! - 48) & 15, nodes[k + 2]! | 0);
      changes[k] = i;
      changes[k + 1] = oldState;
      changes[k + 2] = oldFlags;
      touched.add(i);
    }
    if (m.attributes.length > 0) {
      e.attrs?.invalidate(m.attributes);
      for (const a of m.attributes) touched.add(a);
    }
    for (let k = 0; k + 1 < m.attributeCounts.length; k += 2) {
      tree.setAttrCount(m.attributeCounts[k]!, m.attributeCounts[k + 1]!);
      touched.add(m.attributeCounts[k]!);
    }
    for (let k = 0; k + 1 < m.defStatus.length; k += 2) {
      const i = m.defStatus[k]!;
      if (i >= 0 && i < tree.n) tree.t.defStatus[i] = m.defStatus[k + 1]! & 7;
      touched.add(i);
    }
    this.events.emit('nodes', { entry: e, changes });
    this.events.emit(tree.version !== before ? 'rows' : 'redraw', undefined);
    this.events.emit('change', {
      server: m.server,
      snapshot: false,
      touches: (server, path) => {
        if (server !== m.server || e.tree !== tree) return server === m.server;
        const i = tree.find(path);
        return i === ROOT ? m.info !== undefined : touched.has(i);
      },
    });
  }

  private onAttributes(e: Entry, tree: ServerTree, loaded: Map<number, readonly UiAttribute[]>): void {
    if (e.tree !== tree || loaded.size === 0) return;
    this.events.emit('redraw', undefined);
  }

  // ---- reading ----

  entry(name: string): Entry | undefined {
    return this.entries.find((e) => e.name === name);
  }
  servers(): readonly UiServer[] {
    return this.entries.map((e) => e.server);
  }

  nodeInfo(server: string, path: string): NodeInfo | undefined {
    const e = this.entry(server);
    const tree = e?.tree;
    if (e === undefined) return undefined;
    if (path === '/' || path === '') {
      let kids = 0;
      for (let c = tree !== undefined && tree.n > 0 ? 0 : -1; c >= 0; c = tree!.t.nextSibling[c]!) kids++;
      return {
        server,
        path: '/',
        name: server,
        kind: 'server',
        state: 'unknown',
        suspended: false,
        flags: e.info?.flags ?? 0,
        flagNames: flagNames(e.info?.flags ?? 0),
        defStatus: 'queued',
        attributeCount: 0,
        childCount: kids,
        epoch: tree?.epoch ?? -1,
        ...(e.info !== undefined ? { serverInfo: e.info } : {}),
      };
    }
    if (tree === undefined) return undefined;
    const i = tree.find(path);
    if (i < 0) return undefined;
    const t = tree.t;
    let kids = 0;
    for (let c = t.firstChild[i]!; c >= 0; c = t.nextSibling[c]!) kids++;
    const def = t.defStatus[i]!;
    const st = t.state[i]!;
    return {
      server,
      path: tree.path(i),
      name: tree.name(i),
      kind: KIND_NAMES[t.kind[i]!] ?? 'task',
      state: NSTATE_NAMES[st & 7] ?? 'unknown',
      suspended: (st & 8) !== 0,
      flags: t.flags[i]!,
      flagNames: flagNames(t.flags[i]!),
      defStatus: DSTATE_NAMES[def] ?? 'queued',
      attributeCount: t.attrCount[i]!,
      childCount: kids,
      epoch: tree.epoch,
    };
  }

  attributes(server: string, path: string): Promise<readonly UiAttribute[]> {
    const e = this.entry(server);
    const i = e?.tree?.find(path) ?? NONE;
    if (e?.attrs === undefined || i < 0) return Promise.resolve([]);
    return e.attrs.load(i);
  }

  request(req: UiRequest): Promise<unknown> {
    return this.conn.request(req);
  }

  // ---- view state ----

  toggleServer(s: number, on?: boolean): void {
    const e = this.entries[s];
    if (e === undefined) return;
    e.expanded = on ?? !e.expanded;
    this.serverExpanded.set(e.name, e.expanded);
    this.events.emit('rows', undefined);
  }

  setExpanded(r: RowRef, on: boolean, below = false): void {
    const e = this.entries[r.s];
    if (e === undefined) return;
    if (r.node === ROOT) {
      if (below && e.tree !== undefined) e.tree.setExpandedBelow(ROOT, on);
      this.toggleServer(r.s, on);
      return;
    }
    if (e.tree === undefined) return;
    if (below) e.tree.setExpandedBelow(r.node, on);
    else if (!e.tree.setExpanded(r.node, on)) return;
    this.events.emit('rows', undefined);
  }

  /** Expand or collapse everything on every server. */
  setAllExpanded(on: boolean): void {
    this.entries.forEach((e, s) => {
      e.tree?.setExpandedBelow(ROOT, on);
      if (on) {
        e.expanded = true;
        this.serverExpanded.set(e.name, true);
      }
      void s;
    });
    this.events.emit('rows', undefined);
  }

  setFilter(f: StatusFilter): void {
    this.filter = f;
    for (const e of this.entries) e.tree?.setFilter(f);
    this.events.emit('filter', f);
    this.events.emit('rows', undefined);
  }

  // ---- selection (by path) ----

  private keyOf(r: RowRef): SelKey | undefined {
    const e = this.entries[r.s];
    if (e === undefined) return undefined;
    if (r.node === ROOT) return { server: e.name, path: '/', attr: -1 };
    if (e.tree === undefined) return undefined;
    return { server: e.name, path: e.tree.path(r.node), attr: r.attr };
  }

  /** The row of a selection key now, or undefined. */
  private rowOf(k: SelKey): RowRef | undefined {
    const s = this.entries.findIndex((e) => e.name === k.server);
    if (s < 0) return undefined;
    if (k.path === '/') return { s, node: ROOT, attr: -1 };
    const node = this.entries[s]!.tree?.find(k.path) ?? NONE;
    return node === NONE ? undefined : { s, node, attr: k.attr };
  }

  private rowKey(r: RowRef): string {
    return `${r.s}:${r.node}:${r.attr}`;
  }

  isSelected(r: RowRef): boolean {
    if (this.selIndex === undefined) {
      this.selIndex = new Set();
      for (const k of this.selection) {
        const row = this.rowOf(k);
        if (row !== undefined) this.selIndex.add(this.rowKey(row));
      }
    }
    return this.selIndex.has(this.rowKey(r));
  }

  focusRow(): RowRef | undefined {
    return this.focusKey === undefined ? undefined : this.rowOf(this.focusKey);
  }
  anchorRow(): RowRef | undefined {
    return this.anchorKey === undefined ? undefined : this.rowOf(this.anchorKey);
  }

  /**
   * Select rows. mode 'replace' (click, arrows), 'toggle' (Ctrl-click), 'add' (Shift range: rows
   * are the range, the anchor stays).
   */
  selectRows(rows: readonly RowRef[], focus: RowRef, mode: 'replace' | 'toggle' | 'add' = 'replace'): void {
    const keys = rows.map((r) => this.keyOf(r)).filter((k): k is SelKey => k !== undefined);
    const fk = this.keyOf(focus);
    const same = (a: SelKey, b: SelKey): boolean => a.server === b.server && a.path === b.path && a.attr === b.attr;
    if (mode === 'replace') {
      this.selection = keys;
      this.anchorKey = fk;
    } else if (mode === 'toggle') {
      for (const k of keys) {
        const at = this.selection.findIndex((x) => same(x, k));
        if (at >= 0) this.selection.splice(at, 1);
        else this.selection.push(k);
      }
      this.anchorKey = fk;
    } else {
      this.selection = keys;
    }
    this.focusKey = fk;
    this.selIndex = undefined;
    this.events.emit('selection', this.getSelection());
    this.events.emit('redraw', undefined);
  }

  getSelection(): readonly SelectedNode[] {
    const out: SelectedNode[] = [];
    for (const k of this.selection) {
      const row = this.rowOf(k);
      const e = this.entry(k.server);
      if (row === undefined || e === undefined) continue;
      if (row.node === ROOT) {
        out.push({ server: k.server, path: '/', kind: 'server' });
      } else if (k.attr >= 0) {
        const attribute = e.attrs?.get(row.node)?.[k.attr];
        out.push({ server: k.server, path: k.path, kind: 'attribute', attributeIndex: k.attr, ...(attribute !== undefined ? { attribute } : {}) });
      } else {
        out.push({ server: k.server, path: k.path, kind: KIND_NAMES[e.tree!.t.kind[row.node]!] ?? 'task' });
      }
    }
    return out;
  }

  /** After a new snapshot: selected paths that are gone select their nearest existing ancestor. */
  private keepSelection(e: Entry): void {
    const tree = e.tree;
    if (tree === undefined) return;
    const fix = (k: SelKey | undefined): SelKey | undefined => {
      if (k === undefined || k.server !== e.name || k.path === '/') return k;
      let path = k.path;
      let attr = k.attr;
      while (path !== '/' && path !== '' && tree.find(path) < 0) {
        path = path.slice(0, path.lastIndexOf('/')) || '/';
        attr = -1;
      }
      return { server: k.server, path: path === '' ? '/' : path, attr };
    };
    const seen = new Set<string>();
    this.selection = this.selection
      .map((k) => fix(k)!)
      .filter((k) => {
        const id = `${k.server}\n${k.path}\n${k.attr}`;
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
    this.focusKey = fix(this.focusKey);
    this.anchorKey = fix(this.anchorKey);
    // Keep the selected nodes visible.
    for (const k of this.selection) {
      if (k.server !== e.name || k.path === '/') continue;
      const i = tree.find(k.path);
      if (i >= 0) tree.reveal(i);
    }
  }

  /**
   * Select one node by path, expanding its ancestors and scrolling to it. When the server has no
   * snapshot yet the request waits for it. Returns false when the node is unknown (now).
   */
  reveal(server: string, path: string, focus = false): boolean {
    const s = this.entries.findIndex((e) => e.name === server);
    const e = this.entries[s];
    if (e === undefined || (e.tree === undefined && path !== '/')) {
      this.pendingReveal = { server, path };
      return false;
    }
    let node: number = ROOT;
    if (path !== '/' && path !== '') {
      node = e.tree!.find(path);
      if (node === NONE) return false;
      if (!e.tree!.passes(node)) this.setFilter(NO_FILTER);
      e.tree!.reveal(node);
    }
    if (!e.expanded && node !== ROOT) this.toggleServer(s, true);
    const row: RowRef = { s, node, attr: -1 };
    this.selectRows([row], row);
    this.events.emit('rows', undefined);
    this.events.emit('reveal', { row, focus });
    return true;
  }

  /** Remember a place to reveal once its server has synced (deep links). */
  revealLater(server: string, path: string): void {
    if (!this.reveal(server, path)) this.pendingReveal = { server, path };
  }

  status(message: string, kind: 'info' | 'error' = 'info'): void {
    this.events.emit('status', { message, kind });
  }

  health(name: string): ServerHealth | undefined {
    return this.entry(name)?.server.health;
  }
}
