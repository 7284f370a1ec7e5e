/**
 * Decoding of a `snapshot` message's columns (src/server/ui-protocol.ts) into typed arrays, in
 * O(n) with no per-node objects: the whole point of the column format. Runs in the sync worker;
 * the arrays are then transferred (not copied) to the main thread.
 *
 * Links are rebuilt from the depths of the pre-order table: `lastAt[d]` is the last node seen at
 * depth d; placing a node at depth d resets `lastAt[d + 1]`, so the first child of every node finds
 * no older cousin to link to.
 *
 * Names stay ONE string (`namesText`, names joined by '\n') plus `nameStart` offsets: moving one
 * string between threads is a memcpy, a million small strings would be a million allocations on
 * the main thread. A name is `namesText.slice(nameStart[i], nameStart[i + 1] - 1)`.
 *
 * Pure module: no DOM or Node types.
 */

import type { SnapshotColumns } from '../../../src/server/ui-protocol.js';

/** The server itself, as a parent (`parent[suite] === ROOT`). */
export const ROOT = -1;
/** No such node. */
export const NONE = -2;

/** Node kinds as small integers (Uint8Array `kind`). */
export const Kind = { suite: 0, family: 1, task: 2, alias: 3 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];
export const KIND_NAMES = ['suite', 'family', 'task', 'alias'] as const;
export type KindName = (typeof KIND_NAMES)[number];

/** The decoded node table of one server (one epoch). All arrays have length `n` (nameStart n+1). */
export interface DecodedTree {
  readonly n: number;
  readonly namesText: string;
  /** Start offset of each name in namesText; nameStart[n] = namesText.length + 1. */
  readonly nameStart: Int32Array;
  readonly depth: Int32Array;
  /** -1 for suites (their parent is the server). */
  readonly parent: Int32Array;
  readonly firstChild: Int32Array;
  readonly nextSibling: Int32Array;
  /** Kind values (0 suite, 1 family, 2 task, 3 alias). */
  readonly kind: Uint8Array;
  /** nstate | suspended << 3 (the state column minus 48). */
  readonly state: Uint8Array;
  /** Flag bitmask (protocol §10.6), dense. */
  readonly flags: Int32Array;
  /** Number of attribute rows the node shows when expanded (0 for most nodes). */
  readonly attrCount: Uint16Array;
  /** Default status (DState: 2 queued unless `defstatus` says otherwise; 6 suspended). */
  readonly defStatus: Uint8Array;
}

/** The transferable buffers of a decoded tree (for postMessage). */
export function treeBuffers(t: DecodedTree): ArrayBuffer[] {
  return [t.nameStart, t.depth, t.parent, t.firstChild, t.nextSibling, t.kind, t.state, t.flags, t.attrCount, t.defStatus].map(
    (a) => a.buffer as ArrayBuffer,
  );
}

/** A copy whose buffers can be transferred while the original stays usable. */
export function cloneTree(t: DecodedTree): DecodedTree {
  return {
    n: t.n,
    namesText: t.namesText,
    nameStart: t.nameStart.slice(),
    depth: t.depth.slice(),
    parent: t.parent.slice(),
    firstChild: t.firstChild.slice(),
    nextSibling: t.nextSibling.slice(),
    kind: t.kind.slice(),
    state: t.state.slice(),
    flags: t.flags.slice(),
    attrCount: t.attrCount.slice(),
    defStatus: t.defStatus.slice(),
  };
}

const KIND_BY_CHAR: Record<number, Kind> = { 115: Kind.suite, 102: Kind.family, 116: Kind.task, 97: Kind.alias };

/**
 * Decode snapshot columns. Malformed input never throws: missing names become '', depths that jump
 * more than one level are clamped, unknown kinds read as task.
 *
 * @example
 * const t = decodeColumns(msg.columns);
 * t.n; t.parent[5]; nodeName(t, 5);
 */
export function decodeColumns(c: SnapshotColumns): DecodedTree {
  const n = c.depths.length;
  const depth = new Int32Array(n);
  const parent = new Int32Array(n);
  const firstChild = new Int32Array(n).fill(-1);
  const nextSibling = new Int32Array(n).fill(-1);
  const kind = new Uint8Array(n);
  const state = new Uint8Array(n);
  const flags = new Int32Array(n);
  const attrCount = new Uint16Array(n);
  const defStatus = new Uint8Array(n).fill(2);

  const depths = c.depths;
  const kinds = c.kinds;
  const states = c.states;
  let lastAt = new Int32Array(64).fill(-1);
  let prevDepth = -1;
  for (let i = 0; i < n; i++) {
    let d = depths.charCodeAt(i) - 48;
    if (d < 0) d = 0;
    if (d > prevDepth + 1) d = prevDepth + 1;
    prevDepth = d;
    if (d + 2 > lastAt.length) {
      const bigger = new Int32Array(lastAt.length * 2).fill(-1);
      bigger.set(lastAt);
      lastAt = bigger;
    }
    depth[i] = d;
    const p = d === 0 ? -1 : lastAt[d - 1]!;
    parent[i] = p;
    const prev = lastAt[d]!;
    if (prev >= 0) nextSibling[prev] = i;
    else if (p >= 0) firstChild[p] = i;
    lastAt[d] = i;
    lastAt[d + 1] = -1;
    kind[i] = KIND_BY_CHAR[kinds.charCodeAt(i)] ?? Kind.task;
    const s = states.charCodeAt(i) - 48;
    state[i] = s >= 0 && s < 16 ? s : 0;
  }

  const fl = c.flags;
  for (let k = 0; k + 1 < fl.length; k += 2) {
    const i = fl[k]!;
    if (i >= 0 && i < n) flags[i] = fl[k + 1]! | 0;
  }
  const ac = c.attributeCounts;
  for (let k = 0; k + 1 < ac.length; k += 2) {
    const i = ac[k]!;
    if (i >= 0 && i < n) attrCount[i] = Math.min(65535, Math.max(0, ac[k + 1]!));
  }

  const ds = c.defStatus;
  for (let k = 0; k + 1 < ds.length; k += 2) {
    const i = ds[k]!;
    if (i >= 0 && i < n) defStatus[i] = ds[k + 1]! & 7;
  }

  const names = c.names;
  const nameStart = new Int32Array(n + 1);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    nameStart[i] = pos;
    const nl = names.indexOf('\n', pos);
    pos = nl < 0 ? names.length + 1 : nl + 1;
  }
  // A names text with fewer than n names: the missing ones start at length + 1 and read as ''.
  nameStart[n] = pos;

  return {
    n,
    namesText: names,
    nameStart,
    depth,
    parent,
    firstChild,
    nextSibling,
    kind,
    state,
    flags,
    attrCount,
    defStatus,
  };
}

/** Name of node i. */
export function nodeName(t: Pick<DecodedTree, 'namesText' | 'nameStart'>, i: number): string {
  const s = t.nameStart[i]!;
  const e = t.nameStart[i + 1]! - 1;
  return e > s ? t.namesText.slice(s, e) : '';
}

/** True when node i's name equals `name`, without allocating. */
export function nameEquals(t: Pick<DecodedTree, 'namesText' | 'nameStart'>, i: number, name: string): boolean {
  const s = t.nameStart[i]!;
  const len = t.nameStart[i + 1]! - 1 - s;
  return len === name.length && t.namesText.startsWith(name, s);
}

/** Absolute path of node i ('/suite/family/task'). O(depth). */
export function nodePath(t: Pick<DecodedTree, 'namesText' | 'nameStart' | 'parent'>, i: number): string {
  let p = '';
  for (let k = i; k >= 0; k = t.parent[k]!) p = '/' + nodeName(t, k) + p;
  return p === '' ? '/' : p;
}

/** Split a node path into names ('/a/b' → ['a', 'b']; '' and '/' → []). */
export function pathSegments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/**
 * Index of the node at `path`: ROOT for '' and '/', NONE when there is no such node.
 * O(depth × siblings).
 *
 * @example findPath(t, '/s0/f1/t2')
 */
export function findPath(t: Pick<DecodedTree, 'n' | 'namesText' | 'nameStart' | 'firstChild' | 'nextSibling'>, path: string): number {
  const segs = pathSegments(path);
  if (segs.length === 0) return ROOT;
  let cur = t.n > 0 ? 0 : -1; // first suite
  let found: number = NONE;
  for (const seg of segs) {
    while (cur >= 0 && !nameEquals(t, cur, seg)) cur = t.nextSibling[cur]!;
    if (cur < 0) return NONE;
    found = cur;
    cur = t.firstChild[cur]!;
  }
  return found;
}
