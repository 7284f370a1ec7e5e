/**
 * The node table of one server for the browser (ui-protocol.ts): the defs in pre-order as columns,
 * plus the side tables the local server needs to turn model changes into deltas without touching
 * the model classes:
 *
 *   nodes[i]    index -> Node
 *   end[i]      one past the last index of i's subtree (children of i: i+1, end[i+1], … < end[i])
 *   indexOfNode Node -> index: down from the suite through the children ranges, comparing Node
 *               objects; a container with many children gets a Node -> index Map on first use
 *               (a million-entry Map for the whole tree would cost a third of the build time)
 *   stateCodes, flags, defStatus, attrCounts: what the browser was last told, per index
 *
 * Built in one pass over the tree (an explicit stack, no recursion, no per-node objects besides the
 * Map entry). Names, depths and kinds never change within an epoch and are kept as the strings sent;
 * states, flags, default states and attribute counts are re-encoded from the typed arrays for every
 * snapshot, so a snapshot always matches the deltas sent before it.
 *
 * Structure check for an incremental sync: a changed node whose children are not the ones recorded
 * (ChildrenMemento/AliasChildrenMemento give new Node objects, OrderMemento another order), or a
 * node that is not in the table, means a new epoch.
 */

import type { Defs } from '../model/defs.js';
import { Suite, type Node } from '../model/node.js';
import { DState, SSTATE_NAMES } from '../model/types.js';
import { NodeKindChar, type ServerInfo, type SnapshotColumns } from './ui-protocol.js';

/** Single-valued attributes that make a tree row (NodeAttrs fields). */
const SINGLE_ROWS = ['trigger', 'complete', 'late', 'repeat', 'autoCancel', 'autoArchive', 'autoRestore'] as const;
/** List-valued attributes that make one tree row per item (variables are counted apart). */
const LIST_ROWS = [
  'labels', 'meters', 'events', 'limits', 'inlimits', 'times', 'todays', 'dates', 'days', 'crons',
  'avisos', 'mirrors', 'zombies', 'verifies', 'queues', 'generics',
] as const;

/**
 * Attribute rows a node shows in the tree, variables left out (the `attributes` answer has these
 * rows first, then the variables). Suites also count their clock.
 */
export function attributeRowCount(node: Node): number {
  const a = node.attrs;
  let n = 0;
  if (a !== undefined) {
    for (const k of LIST_ROWS) {
      const list = a[k];
      if (list !== undefined) n += list.length;
    }
    for (const k of SINGLE_ROWS) if (a[k] !== undefined) n++;
  }
  if (node instanceof Suite && node.clock !== undefined) n++;
  return n;
}

/** The state character code of a node (ui-protocol encodeStateChar). */
export function stateCode(node: Node): number {
  return 48 + (node.state | (node.suspended ? 8 : 0));
}

export interface NodeTable {
  readonly epoch: number;
  readonly size: number;
  readonly nodes: readonly Node[];
  /** Node -> index (`indexOfNode`), Map-like: undefined for a Node not in this epoch. */
  readonly index: { get(node: Node): number | undefined; has(node: Node): boolean };
  readonly end: Int32Array;
  /** Lazily built Node -> index maps of the children of big containers (key: parent index, -1 = suites). */
  readonly childIndex: Map<number, Map<Node, number>>;
  readonly stateCodes: Uint8Array;
  readonly flags: Uint32Array;
  readonly defStatus: Uint8Array;
  readonly attrCounts: Uint32Array;
  /** The suites at build time, in order (a '/' change that re-orders them needs a new epoch). */
  readonly suites: readonly Node[];
  readonly names: string;
  readonly depths: string;
  readonly kinds: string;
}

const KIND_CODES = {
  suite: NodeKindChar.suite.charCodeAt(0),
  family: NodeKindChar.family.charCodeAt(0),
  task: NodeKindChar.task.charCodeAt(0),
  alias: NodeKindChar.alias.charCodeAt(0),
} as const;

/**
 * Build the table of `defs` for `epoch`. O(n), one pass.
 *
 * @example
 * const table = buildNodeTable(session.defs!, 1);
 * const columns = snapshotColumns(table);  // what a `snapshot` message carries
 */
export function buildNodeTable(defs: Defs, epoch: number): NodeTable {
  // Count first so that every array is allocated once at its final size.
  let size = 0;
  defs.forEachNode(() => {
    size++;
  });
  const nodes: Node[] = new Array<Node>(size);
  const end = new Int32Array(size);
  const depthCodes = new Uint8Array(size);
  const kindCodes = new Uint8Array(size);
  const stateCodes = new Uint8Array(size);
  const flags = new Uint32Array(size);
  const defStatus = new Uint8Array(size);
  const attrCounts = new Uint32Array(size);
  const names: string[] = new Array<string>(size);
  let wideDepth = false;

  // Pre-order with an explicit stack of [node, depth]; `open` holds the indexes of the ancestors of
  // the current node, so that a subtree's end is known when the walk leaves it.
  const stackNodes: Node[] = [];
  const stackDepths: number[] = [];
  const suites = defs.suites;
  for (let s = suites.length - 1; s >= 0; s--) {
    stackNodes.push(suites[s]!);
    stackDepths.push(0);
  }
  const open: number[] = [];
  let i = 0;
  while (stackNodes.length > 0) {
    const node = stackNodes.pop()!;
    const depth = stackDepths.pop()!;
    while (open.length > depth) end[open.pop()!] = i;
    open.push(i);
    nodes[i] = node;
    names[i] = node.name;
    const dc = 48 + depth;
    if (dc > 127) wideDepth = true;
    depthCodes[i] = dc > 255 ? 255 : dc;
    kindCodes[i] = KIND_CODES[node.kind];
    stateCodes[i] = stateCode(node);
    flags[i] = node.flags >>> 0;
    defStatus[i] = node.defStatus;
    attrCounts[i] = node.attrs === undefined && node.kind !== 'suite' ? 0 : attributeRowCount(node);
    const kids = node.nodes;
    for (let k = kids.length - 1; k >= 0; k--) {
      stackNodes.push(kids[k]!);
      stackDepths.push(depth + 1);
    }
    i++;
  }
  while (open.length > 0) end[open.pop()!] = i;

  const depths = wideDepth ? wideDepthString(nodes) : latin1(depthCodes);
  const table: NodeTable = {
    epoch,
    size,
    nodes,
    end,
    childIndex: new Map(),
    stateCodes,
    flags,
    defStatus,
    attrCounts,
    suites: [...suites],
    names: names.join('\n'),
    depths,
    kinds: latin1(kindCodes),
    index: {
      get: (node) => indexOfNode(table, node),
      has: (node) => indexOfNode(table, node) !== undefined,
    },
  };
  return table;
}

/** The snapshot columns of the table as it stands (states etc. as last told to the browser). */
export function snapshotColumns(table: NodeTable): SnapshotColumns {
  const flags: number[] = [];
  const defStatus: number[] = [];
  const attributeCounts: number[] = [];
  const n = table.size;
  const f = table.flags;
  const d = table.defStatus;
  const a = table.attrCounts;
  for (let i = 0; i < n; i++) {
    if (f[i] !== 0) flags.push(i, f[i]!);
    if (d[i] !== DState.QUEUED) defStatus.push(i, d[i]!);
    if (a[i] !== 0) attributeCounts.push(i, a[i]!);
  }
  return {
    names: table.names,
    depths: table.depths,
    kinds: table.kinds,
    states: latin1(table.stateCodes),
    flags,
    defStatus,
    attributeCounts,
  };
}

/** Children scanned one by one before a container gets its own Node -> index map. */
const SCAN_LIMIT = 24;

/**
 * The index of `node` in the table, or undefined when it (or one of its ancestors) is not the
 * Node object the table was built from. O(depth) for small containers.
 */
export function indexOfNode(table: NodeTable, node: Node): number | undefined {
  const chain: Node[] = [];
  for (let n: Node | undefined = node; n !== undefined; n = n.parent) chain.push(n);
  let parent = -1;
  for (let k = chain.length - 1; k >= 0; k--) {
    const i = childIndexOf(table, parent, chain[k]!);
    if (i === undefined) return undefined;
    parent = i;
  }
  return parent < 0 ? undefined : parent;
}

function childIndexOf(table: NodeTable, parent: number, child: Node): number | undefined {
  const stop = parent < 0 ? table.size : table.end[parent]!;
  const cached = table.childIndex.get(parent);
  if (cached !== undefined) return cached.get(child);
  let c = parent + 1;
  for (let steps = 0; c < stop && steps < SCAN_LIMIT; steps++) {
    if (table.nodes[c] === child) return c;
    c = table.end[c]!;
  }
  if (c >= stop) return undefined;
  const map = new Map<Node, number>();
  for (let k = parent + 1; k < stop; k = table.end[k]!) map.set(table.nodes[k]!, k);
  table.childIndex.set(parent, map);
  return map.get(child);
}

/** True when `node`'s children (or aliases) are exactly the ones recorded under index `i`. */
export function childrenMatch(table: NodeTable, i: number, node: Node): boolean {
  const kids = node.nodes;
  const stop = table.end[i]!;
  let c = i + 1;
  for (let k = 0; k < kids.length; k++) {
    if (c >= stop || table.nodes[c] !== kids[k]) return false;
    c = table.end[c]!;
  }
  return c === stop;
}

/** True when the defs' suites are the ones (same objects, same order) the table was built from. */
export function suitesMatch(table: NodeTable, defs: Defs): boolean {
  const now = defs.suites;
  if (now.length !== table.suites.length) return false;
  for (let s = 0; s < now.length; s++) if (now[s] !== table.suites[s]) return false;
  return true;
}

/** The server row of a snapshot/delta. */
export function serverInfo(defs: Defs, version: string): ServerInfo {
  return {
    version,
    state: SSTATE_NAMES[defs.serverState] ?? 'RUNNING',
    flags: defs.flags >>> 0,
    stateChange: defs.stateChange,
    modifyChange: defs.modifyChange,
  };
}

/** A byte array of character codes < 256 as a string (one character per byte). */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Depth column for trees deeper than 79 levels (characters above 127). */
function wideDepthString(nodes: readonly Node[]): string {
  const parts: string[] = [];
  const chunk: number[] = [];
  for (const node of nodes) {
    let depth = 0;
    for (let p = node.parent; p !== undefined; p = p.parent) depth++;
    chunk.push(48 + depth);
    if (chunk.length === 8192) {
      parts.push(String.fromCharCode(...chunk));
      chunk.length = 0;
    }
  }
  parts.push(String.fromCharCode(...chunk));
  return parts.join('');
}
