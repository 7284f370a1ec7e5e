/**
 * One server's tree as the view sees it: the decoded node table (typed arrays, one epoch) plus the
 * view state — which nodes are expanded, the status filter, and per node the number of rows shown
 * below it (`visCount`). Design note: web/src/tree/tree-notes.md.
 *
 *   visCount[i] = expanded[i] ? attrCount[i] + Σ over passing children c of (1 + visCount[c]) : 0
 *
 * `visCount` does not depend on the ancestors, so expanding, collapsing or a node passing/failing
 * the filter changes only the counts on its ancestor path: O(depth) (one "splice"), never a
 * rebuild. Row i of the flattened list is found by descending from the root with these counts.
 *
 * Rows are (node, attr): attr = -1 for the node's own row, 0… for its attribute rows, which come
 * before its children (as in ecflow_ui). The server's row is (ROOT, -1); its `rootVis` rows follow.
 *
 * Pure module (no DOM): tested headlessly.
 */

import { findPath, nameEquals, nodeName, nodePath, pathSegments, ROOT, NONE, type DecodedTree } from './snapshot-decode.js';

/** A row of the tree: node (ROOT = the server row) and attribute index (-1 = the node itself). */
export interface LocalRow {
  readonly node: number;
  readonly attr: number;
}

/** Status filter: nstate bits (1 << nstate) and suspended. */
export interface StatusFilter {
  readonly stateMask: number;
  readonly suspended: boolean;
}

export const NO_FILTER: StatusFilter = { stateMask: 0, suspended: false };

export function isFilterActive(f: StatusFilter): boolean {
  return f.stateMask !== 0 || f.suspended;
}

export class ServerTree {
  readonly n: number;
  readonly t: DecodedTree;
  readonly expanded: Uint8Array;
  readonly visCount: Int32Array;
  /** Rows below the server row (all suites and what is expanded below them). */
  rootVis = 0;
  /** Nodes in the subtree (self included) that match the filter; undefined = no filter. */
  private matchCount: Int32Array | undefined;
  private filter: StatusFilter = NO_FILTER;
  /** Bumped whenever which rows are shown changes (cache key for the views). */
  version = 0;
  private childCache = new Map<number, Int32Array>();
  private readonly pathCache = new Map<string, number>();
  private readonly childNames = new Map<number, Map<string, number>>();
  private childCacheVersion = -1;

  constructor(
    readonly server: string,
    readonly epoch: number,
    tree: DecodedTree,
  ) {
    this.t = tree;
    this.n = tree.n;
    this.expanded = new Uint8Array(tree.n);
    this.visCount = new Int32Array(tree.n);
    // Nothing expanded, no filter: every visCount is 0 and the suites are the rows.
    for (let s = tree.n > 0 ? 0 : -1; s >= 0; s = tree.nextSibling[s]!) this.rootVis++;
  }

  // ---- reading ----

  name(i: number): string {
    return i === ROOT ? this.server : nodeName(this.t, i);
  }
  path(i: number): string {
    return i === ROOT ? '/' : nodePath(this.t, i);
  }
  /**
   * ROOT for '/', NONE when absent. Node indexes never change within an epoch, so answers are
   * cached; parents with many children get a name → child map on first use.
   */
  find(path: string): number {
    const hit = this.pathCache.get(path);
    if (hit !== undefined) return hit;
    let found: number;
    if (this.n < 64) found = findPath(this.t, path);
    else {
      found = ROOT;
      for (const seg of pathSegments(path)) {
        found = this.child(found, seg);
        if (found < 0) {
          found = NONE;
          break;
        }
      }
    }
    if (this.pathCache.size >= 4096) this.pathCache.clear();
    this.pathCache.set(path, found);
    return found;
  }

  /** The child of p named `name`, or -1. */
  private child(p: number, name: string): number {
    const first = p === ROOT ? (this.n > 0 ? 0 : -1) : this.t.firstChild[p]!;
    let map = this.childNames.get(p);
    if (map === undefined) {
      let count = 0;
      for (let c = first; c >= 0 && count <= 32; c = this.t.nextSibling[c]!) count++;
      if (count <= 32) {
        for (let c = first; c >= 0; c = this.t.nextSibling[c]!) if (nameEquals(this.t, c, name)) return c;
        return -1;
      }
      map = new Map();
      for (let c = first; c >= 0; c = this.t.nextSibling[c]!) {
        const nm = nodeName(this.t, c);
        if (!map.has(nm)) map.set(nm, c);
      }
      this.childNames.set(p, map);
    }
    return map.get(name) ?? -1;
  }
  parentOf(i: number): number {
    return i === ROOT ? NONE : this.t.parent[i]!;
  }
  hasChildren(i: number): boolean {
    return i === ROOT ? this.n > 0 : this.t.firstChild[i]! >= 0;
  }
  /** Shows an expander: children or attributes. */
  isExpandable(i: number): boolean {
    return i === ROOT ? this.n > 0 : this.t.firstChild[i]! >= 0 || this.t.attrCount[i]! > 0;
  }
  isExpanded(i: number): boolean {
    return i !== ROOT && this.expanded[i] === 1;
  }
  attrRows(i: number): number {
    return i !== ROOT && this.expanded[i] === 1 ? this.t.attrCount[i]! : 0;
  }
  level(i: number): number {
    return i === ROOT ? 0 : this.t.depth[i]! + 1;
  }
  passes(i: number): boolean {
    return this.matchCount === undefined || i === ROOT || this.matchCount[i]! > 0;
  }
  matchesFilter(state: number): boolean {
    const f = this.filter;
    return (f.stateMask & (1 << (state & 7))) !== 0 || (f.suspended && (state & 8) !== 0);
  }
  firstVisibleChild(p: number): number {
    let c = p === ROOT ? (this.n > 0 ? 0 : -1) : this.t.firstChild[p]!;
    if (this.matchCount !== undefined) while (c >= 0 && this.matchCount[c]! <= 0) c = this.t.nextSibling[c]!;
    return c;
  }
  nextVisibleSibling(c: number): number {
    let s = this.t.nextSibling[c]!;
    if (this.matchCount !== undefined) while (s >= 0 && this.matchCount[s]! <= 0) s = this.t.nextSibling[s]!;
    return s;
  }
  private childSum(p: number): number {
    let sum = 0;
    for (let c = this.firstVisibleChild(p); c >= 0; c = this.nextVisibleSibling(c)) sum += 1 + this.visCount[c]!;
    return sum;
  }

  /** The passing children of p in order (cached until the shown rows change). */
  visibleChildren(p: number): Int32Array {
    if (this.childCacheVersion !== this.version) {
      this.childCache.clear();
      this.childCacheVersion = this.version;
    }
    let list = this.childCache.get(p);
    if (list === undefined) {
      const out: number[] = [];
      for (let c = this.firstVisibleChild(p); c >= 0; c = this.nextVisibleSibling(c)) out.push(c);
      list = Int32Array.from(out);
      if (this.childCache.size > 64) this.childCache.clear();
      this.childCache.set(p, list);
    }
    return list;
  }

  /** aria-posinset / aria-setsize of a row among its parent's shown rows (attributes first). */
  positionInSet(row: LocalRow): { pos: number; size: number } {
    if (row.node === ROOT) return { pos: 1, size: 1 };
    if (row.attr >= 0) {
      const kids = this.visibleChildren(row.node).length;
      const a = this.attrRows(row.node);
      return { pos: row.attr + 1, size: a + kids };
    }
    const p = this.t.parent[row.node]!;
    const kids = this.visibleChildren(p);
    const a = this.attrRows(p);
    let lo = 0;
    let hi = kids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (kids[mid]! < row.node) lo = mid + 1;
      else hi = mid;
    }
    return { pos: a + lo + 1, size: a + kids.length };
  }

  // ---- expansion ----

  /** Add d rows below node i (whose visCount already changed by d) to its ancestors. */
  private propagate(i: number, d: number): void {
    if (d === 0 || !this.passes(i)) return;
    let p = this.t.parent[i]!;
    for (;;) {
      if (p === ROOT) {
        this.rootVis += d;
        return;
      }
      if (this.expanded[p] !== 1) return;
      this.visCount[p] = this.visCount[p]! + d;
      if (!this.passes(p)) return;
      p = this.t.parent[p]!;
    }
  }

  /**
   * Expand or collapse one node. Returns false when nothing changed.
   *
   * @example tree.setExpanded(tree.find('/s/f'), true)
   */
  setExpanded(i: number, on: boolean): boolean {
    if (i < 0 || i >= this.n) return false;
    const want = on && this.isExpandable(i) ? 1 : 0;
    if (this.expanded[i] === want) return false;
    this.expanded[i] = want;
    const old = this.visCount[i]!;
    const now = want === 1 ? this.t.attrCount[i]! + this.childSum(i) : 0;
    this.visCount[i] = now;
    this.propagate(i, now - old);
    this.version++;
    return true;
  }

  /** Expand every ancestor of i (so that i has a row). */
  reveal(i: number): void {
    const chain: number[] = [];
    for (let p = this.parentOf(i); p >= 0; p = this.t.parent[p]!) chain.push(p);
    for (let k = chain.length - 1; k >= 0; k--) this.setExpanded(chain[k]!, true);
  }

  /** End (exclusive) of the pre-order range of i's subtree. */
  private subtreeEnd(i: number): number {
    if (i === ROOT) return this.n;
    const d = this.t.depth[i]!;
    let j = i + 1;
    while (j < this.n && this.t.depth[j]! > d) j++;
    return j;
  }

  /**
   * Expand (or collapse) i and every node below it that has children: one O(subtree) pass.
   * ROOT = the whole server.
   */
  setExpandedBelow(i: number, on: boolean): void {
    const start = i === ROOT ? 0 : i;
    const end = this.subtreeEnd(i);
    const fc = this.t.firstChild;
    if (on) {
      for (let j = start; j < end; j++) if (fc[j]! >= 0) this.expanded[j] = 1;
      if (i !== ROOT && this.t.attrCount[i]! > 0) this.expanded[i] = 1;
    } else {
      this.expanded.fill(0, start, end);
    }
    this.recomputeRange(i, start, end);
    this.version++;
  }

  /** Recompute visCount over [start, end) (i's subtree, or everything for ROOT) and propagate. */
  private recomputeRange(i: number, start: number, end: number): void {
    const old = i === ROOT ? this.rootVis : this.visCount[i]!;
    const vc = this.visCount;
    const ex = this.expanded;
    const ac = this.t.attrCount;
    const parent = this.t.parent;
    const mc = this.matchCount;
    vc.fill(0, start, end);
    let rootSum = 0;
    for (let j = end - 1; j >= start; j--) {
      const v = ex[j] === 1 ? vc[j]! + ac[j]! : 0;
      vc[j] = v;
      if (mc !== undefined && mc[j]! <= 0) continue;
      const p = parent[j]!;
      if (p === ROOT) rootSum += 1 + v;
      else if (j !== i) vc[p] = vc[p]! + 1 + v;
    }
    if (i === ROOT) this.rootVis = rootSum;
    else this.propagate(i, vc[i]! - old);
  }

  recomputeAll(): void {
    this.recomputeRange(ROOT, 0, this.n);
    this.version++;
  }

  // ---- filter ----

  /** Show only nodes in the chosen states and their ancestors (NO_FILTER: everything). O(n). */
  setFilter(f: StatusFilter): void {
    this.filter = f;
    if (!isFilterActive(f)) {
      this.matchCount = undefined;
    } else {
      const mc = (this.matchCount ??= new Int32Array(this.n));
      mc.fill(0);
      const st = this.t.state;
      const parent = this.t.parent;
      for (let j = this.n - 1; j >= 0; j--) {
        if (this.matchesFilter(st[j]!)) mc[j] = mc[j]! + 1;
        const p = parent[j]!;
        if (p >= 0) mc[p] = mc[p]! + mc[j]!;
      }
    }
    this.recomputeAll();
  }

  // ---- changes ----

  /**
   * A delta's new state/flags for node i. Keeps the filter counts right in O(depth).
   * Returns the previous state.
   */
  applyNode(i: number, state: number, flags: number): number {
    if (i < 0 || i >= this.n) return -1;
    const old = this.t.state[i]!;
    this.t.state[i] = state;
    this.t.flags[i] = flags;
    const mc = this.matchCount;
    if (mc === undefined) return old;
    const delta = (this.matchesFilter(state) ? 1 : 0) - (this.matchesFilter(old) ? 1 : 0);
    if (delta === 0) return old;
    const vc = this.visCount;
    let x = i;
    let dv = 0;
    for (;;) {
      const oldPass = mc[x]! > 0;
      mc[x] = mc[x]! + delta;
      const newPass = mc[x]! > 0;
      const dParent = (newPass ? 1 + vc[x]! : 0) - (oldPass ? 1 + vc[x]! - dv : 0);
      const p = this.t.parent[x]!;
      if (p === ROOT) {
        this.rootVis += dParent;
        break;
      }
      if (this.expanded[p] === 1) {
        vc[p] = vc[p]! + dParent;
        dv = dParent;
      } else dv = 0;
      x = p;
    }
    this.version++;
    return old;
  }

  /** The number of attribute rows of i changed (the server sent another count). */
  setAttrCount(i: number, count: number): void {
    if (i < 0 || i >= this.n) return;
    const c = Math.min(65535, Math.max(0, count));
    const old = this.t.attrCount[i]!;
    if (c === old) return;
    this.t.attrCount[i] = c;
    if (this.expanded[i] === 1) {
      this.visCount[i] = this.visCount[i]! + c - old;
      this.propagate(i, c - old);
      if (c === 0 && this.t.firstChild[i]! < 0) this.setExpanded(i, false);
    }
    this.version++;
  }

  // ---- rows ----

  /** The row at local index k (0 = first row below the server row), or undefined. */
  locate(k: number): LocalRow | undefined {
    if (k < 0 || k >= this.rootVis) return undefined;
    let p = ROOT;
    for (;;) {
      if (p !== ROOT) {
        const a = this.attrRows(p);
        if (k < a) return { node: p, attr: k };
        k -= a;
      }
      let c = this.firstVisibleChild(p);
      let descended = false;
      while (c >= 0) {
        const size = 1 + this.visCount[c]!;
        if (k < size) {
          if (k === 0) return { node: c, attr: -1 };
          k -= 1;
          p = c;
          descended = true;
          break;
        }
        k -= size;
        c = this.nextVisibleSibling(c);
      }
      if (!descended) return undefined;
    }
  }

  /** Local index of a row (inverse of locate), or -1 when it has no row (collapsed/filtered). */
  indexOf(row: LocalRow): number {
    const i = row.node;
    if (i === ROOT) return -1;
    if (row.attr >= 0 && row.attr >= this.attrRows(i)) return -1;
    let k = row.attr >= 0 ? row.attr + 1 : 0;
    let x = i;
    for (;;) {
      if (!this.passes(x)) return -1;
      const p = this.t.parent[x]!;
      if (p !== ROOT && this.expanded[p] !== 1) return -1;
      for (let c = this.firstVisibleChild(p); c >= 0 && c !== x; c = this.nextVisibleSibling(c)) k += 1 + this.visCount[c]!;
      if (p === ROOT) return k;
      k += 1 + this.attrRows(p);
      x = p;
    }
  }

  /** The row after `row` in display order, or undefined at the end. */
  next(row: LocalRow): LocalRow | undefined {
    const i = row.node;
    if (i === ROOT) {
      const c = this.firstVisibleChild(ROOT);
      return c >= 0 ? { node: c, attr: -1 } : undefined;
    }
    const a = this.attrRows(i);
    if (row.attr + 1 < a) return { node: i, attr: row.attr + 1 };
    if (this.expanded[i] === 1) {
      const c = this.firstVisibleChild(i);
      if (c >= 0) return { node: c, attr: -1 };
    }
    for (let y = i; y !== ROOT; y = this.t.parent[y]!) {
      const s = this.nextVisibleSibling(y);
      if (s >= 0) return { node: s, attr: -1 };
    }
    return undefined;
  }

  // ---- another epoch ----

  /**
   * Carry the expansion of `old` (another epoch of the same server) over by path: a parallel walk
   * that only visits expanded nodes, matching children by name.
   */
  carryExpansion(old: ServerTree): void {
    const walk = (op: number, np: number): void => {
      let byName: Map<string, number> | undefined;
      let scan = np === ROOT ? (this.n > 0 ? 0 : -1) : this.t.firstChild[np]!;
      for (let oc = op === ROOT ? (old.n > 0 ? 0 : -1) : old.t.firstChild[op]!; oc >= 0; oc = old.t.nextSibling[oc]!) {
        if (old.expanded[oc] !== 1) continue;
        const name = nodeName(old.t, oc);
        let nc = -1;
        // Same order is the common case: try the next new sibling first.
        if (scan >= 0 && nodeName(this.t, scan) === name) nc = scan;
        else {
          if (byName === undefined) {
            byName = new Map();
            for (let c = np === ROOT ? (this.n > 0 ? 0 : -1) : this.t.firstChild[np]!; c >= 0; c = this.t.nextSibling[c]!) byName.set(nodeName(this.t, c), c);
          }
          nc = byName.get(name) ?? -1;
        }
        if (nc < 0) continue;
        scan = this.t.nextSibling[nc]!;
        if (this.isExpandable(nc)) this.expanded[nc] = 1;
        walk(oc, nc);
      }
    };
    walk(ROOT, ROOT);
    this.recomputeAll();
  }
}
