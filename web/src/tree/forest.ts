/**
 * The one list of all servers: each server contributes its own row and, when expanded and synced,
 * the rows of its ServerTree. Global row index ↔ (server, node, attr). Few servers, so a linear
 * walk over them is fine. Pure module.
 */

import { ROOT } from './snapshot-decode.js';
import type { ServerTree } from './server-tree.js';

export interface ForestEntry {
  readonly name: string;
  /** Undefined until the first snapshot. */
  readonly tree: ServerTree | undefined;
  /** The server row is expanded (its suites are shown). */
  readonly expanded: boolean;
}

/** A row: server index in the forest, node (ROOT = server row), attr (-1 = node row). */
export interface RowRef {
  readonly s: number;
  readonly node: number;
  readonly attr: number;
}

export function sameRow(a: RowRef | undefined, b: RowRef | undefined): boolean {
  return a !== undefined && b !== undefined && a.s === b.s && a.node === b.node && a.attr === b.attr;
}

function entryRows(e: ForestEntry): number {
  return 1 + (e.expanded && e.tree !== undefined ? e.tree.rootVis : 0);
}

export class Forest {
  constructor(private readonly entries: () => readonly ForestEntry[]) {}

  total(): number {
    let sum = 0;
    for (const e of this.entries()) sum += entryRows(e);
    return sum;
  }

  rowAt(g: number): RowRef | undefined {
    if (g < 0) return undefined;
    const list = this.entries();
    for (let s = 0; s < list.length; s++) {
      const e = list[s]!;
      const rows = entryRows(e);
      if (g < rows) {
        if (g === 0) return { s, node: ROOT, attr: -1 };
        const r = e.tree!.locate(g - 1);
        return r === undefined ? undefined : { s, node: r.node, attr: r.attr };
      }
      g -= rows;
    }
    return undefined;
  }

  next(r: RowRef): RowRef | undefined {
    const list = this.entries();
    const e = list[r.s];
    if (e === undefined) return undefined;
    if (e.tree !== undefined && (r.node !== ROOT || e.expanded)) {
      const n = e.tree.next({ node: r.node, attr: r.attr });
      if (n !== undefined) return { s: r.s, node: n.node, attr: n.attr };
    }
    return r.s + 1 < list.length ? { s: r.s + 1, node: ROOT, attr: -1 } : undefined;
  }

  /** Global index of a row, or -1 when it is not shown. */
  indexOf(r: RowRef): number {
    const list = this.entries();
    let base = 0;
    for (let s = 0; s < r.s; s++) {
      const e = list[s];
      if (e === undefined) return -1;
      base += entryRows(e);
    }
    const e = list[r.s];
    if (e === undefined) return -1;
    if (r.node === ROOT) return base;
    if (!e.expanded || e.tree === undefined) return -1;
    const k = e.tree.indexOf({ node: r.node, attr: r.attr });
    return k < 0 ? -1 : base + 1 + k;
  }
}
