/**
 * The cross-server problems inbox (reference §4 row 68): every aborted task/alias and every node
 * flagged late or zombie, on every server. Built from the typed arrays on each snapshot (one O(n)
 * scan) and kept up to date from the deltas' node changes; reports the NEW problems (for
 * notifications). `since` is when this browser first saw the problem.
 */

import { Flag } from '../../../src/model/types.js';
import { Emitter } from '../emitter.js';
import type { Entry, NodeChanges, Store } from '../store.js';
import type { ServerTree } from '../tree/server-tree.js';
import { Kind } from '../tree/snapshot-decode.js';

export const Reason = { aborted: 1, late: 2, zombie: 4 } as const;
export const REASON_NAMES: ReadonlyArray<readonly [number, string]> = [
  [Reason.aborted, 'aborted'],
  [Reason.late, 'late'],
  [Reason.zombie, 'zombie'],
];

export interface Problem {
  readonly server: string;
  readonly node: number;
  readonly epoch: number;
  reasons: number;
  readonly since: number;
  /** Filled on first use. */
  path?: string;
}

export interface NewProblem {
  readonly server: string;
  readonly path: string;
  readonly reason: 'aborted' | 'late' | 'zombie';
}

const LATE = 1 << Flag.LATE;
const ZOMBIE = 1 << Flag.ZOMBIE;

/** Problem bits of one node. */
export function reasonsOf(kind: number, state: number, flags: number): number {
  let r = 0;
  if ((state & 7) === 3 && (kind === Kind.task || kind === Kind.alias)) r |= Reason.aborted;
  if ((flags & LATE) !== 0) r |= Reason.late;
  if ((flags & ZOMBIE) !== 0) r |= Reason.zombie;
  return r;
}

export class Problems {
  readonly events = new Emitter<{ changed: void; appeared: readonly NewProblem[] }>();
  private readonly byServer = new Map<string, Map<number, Problem>>();
  /** Servers whose rebuild is scheduled (their deltas wait for it: it reads the arrays as they are). */
  private readonly pending = new Set<string>();
  /** The tree each server's problems were computed on (for their paths after a new epoch). */
  private readonly trees = new Map<string, ServerTree>();
  version = 0;

  constructor(private readonly store: Store) {
    // The O(n) scan runs in a task of its own, after the one that applied the snapshot.
    store.events.on('snapshot', ({ entry }) => {
      if (this.pending.has(entry.name)) return;
      this.pending.add(entry.name);
      setTimeout(() => {
        this.pending.delete(entry.name);
        this.rebuild(entry);
      }, 0);
    });
    store.events.on('nodes', (c) => {
      if (!this.pending.has(c.entry.name)) this.update(c);
    });
    store.events.on('servers', () => {
      const names = new Set(store.entries.map((e) => e.name));
      for (const s of [...this.byServer.keys()]) {
        if (names.has(s)) continue;
        this.byServer.delete(s);
        this.trees.delete(s);
      }
      this.changed();
    });
  }

  get count(): number {
    let n = 0;
    for (const m of this.byServer.values()) n += m.size;
    return n;
  }

  /** All problems (unsorted). Paths are filled on demand (pathOf). */
  list(): Problem[] {
    const out: Problem[] = [];
    for (const m of this.byServer.values()) for (const p of m.values()) out.push(p);
    return out;
  }

  /** The problem's node path (computed once). */
  pathOf(p: Problem): string {
    if (p.path === undefined) {
      const tree = this.trees.get(p.server);
      p.path = tree !== undefined && tree.epoch === p.epoch ? tree.path(p.node) : '?';
    }
    return p.path;
  }

  private changed(): void {
    this.version++;
    this.events.emit('changed', undefined);
  }

  private rebuild(e: Entry): void {
    const tree = e.tree;
    if (tree === undefined) return;
    const old = this.byServer.get(e.name);
    const oldTree = this.trees.get(e.name);
    // Keep "since" across epochs by path.
    const oldSince = new Map<string, number>();
    if (old !== undefined && oldTree !== undefined) {
      for (const p of old.values()) oldSince.set(p.path ?? oldTree.path(p.node), p.since);
    }
    const now = Date.now();
    const m = new Map<number, Problem>();
    const { kind, state, flags } = tree.t;
    for (let i = 0; i < tree.n; i++) {
      // Fast reject: most nodes are neither aborted nor flagged.
      if ((state[i]! & 7) !== 3 && (flags[i]! & (LATE | ZOMBIE)) === 0) continue;
      const r = reasonsOf(kind[i]!, state[i]!, flags[i]!);
      if (r === 0) continue;
      const p: Problem = { server: e.name, node: i, epoch: tree.epoch, reasons: r, since: now };
      if (oldSince.size > 0) {
        const path = tree.path(i);
        p.path = path;
        const s = oldSince.get(path);
        if (s !== undefined) (p as { since: number }).since = s;
      }
      m.set(i, p);
    }
    this.byServer.set(e.name, m);
    this.trees.set(e.name, tree);
    this.changed();
  }

  private update(c: NodeChanges): void {
    const tree = c.entry.tree;
    if (tree === undefined || this.trees.get(c.entry.name) !== tree) return;
    let m = this.byServer.get(c.entry.name);
    if (m === undefined) {
      m = new Map();
      this.byServer.set(c.entry.name, m);
    }
    const appeared: NewProblem[] = [];
    const ch = c.changes;
    let any = false;
    const now = Date.now();
    for (let k = 0; k + 2 < ch.length; k += 3) {
      const i = ch[k]!;
      const kind = tree.t.kind[i]!;
      const before = reasonsOf(kind, ch[k + 1]!, ch[k + 2]!);
      const after = reasonsOf(kind, tree.t.state[i]!, tree.t.flags[i]!);
      if (before === after) continue;
      any = true;
      const fresh = after & ~before;
      if (after === 0) m.delete(i);
      else {
        const p = m.get(i);
        if (p !== undefined) p.reasons = after;
        else m.set(i, { server: c.entry.name, node: i, epoch: tree.epoch, reasons: after, since: now });
      }
      if (fresh !== 0) {
        const path = tree.path(i);
        for (const [bit, name] of REASON_NAMES) if ((fresh & bit) !== 0) appeared.push({ server: c.entry.name, path, reason: name as NewProblem['reason'] });
      }
    }
    if (any) this.changed();
    if (appeared.length > 0) this.events.emit('appeared', appeared);
  }
}
