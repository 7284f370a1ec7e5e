/**
 * Attribute rows of one server epoch, fetched with the `attributes` request for the nodes the tree
 * shows (debounced, batched), cached until a delta names the node again. A stale entry keeps being
 * shown until its fresh value arrives (no flicker).
 *
 * Response `data` of `attributes`: UiAttributesData `{ epoch, nodes: [{ index, attributes }] }`,
 * each list being the node's `attributeCount` tree rows, then its own variables (which the tree
 * does not show). Also read: one list per asked node in order, or an object keyed by index.
 * A STALE_EPOCH refusal is dropped: the new snapshot is on its way.
 */

import type { UiAttribute, UiRequest } from '../../../src/server/ui-protocol.js';

const DEBOUNCE_MS = 60;
const BATCH = 400;

/** Read an `attributes` response into node → attributes. Unknown shapes give an empty map. */
export function readAttributesResponse(data: unknown, nodes: readonly number[]): Map<number, readonly UiAttribute[]> {
  const out = new Map<number, readonly UiAttribute[]>();
  let d: unknown = data;
  if (d !== null && typeof d === 'object' && !Array.isArray(d) && Array.isArray((d as { attributes?: unknown }).attributes)) {
    d = (d as { attributes: unknown }).attributes;
  }
  if (Array.isArray(d)) {
    nodes.forEach((node, k) => {
      const list: unknown = d[k];
      if (Array.isArray(list)) out.set(node, list as UiAttribute[]);
    });
    return out;
  }
  if (d !== null && typeof d === 'object') {
    const rec = d as Record<string, unknown>;
    if (Array.isArray(rec['nodes'])) {
      for (const item of rec['nodes'] as unknown[]) {
        const it = item as { index?: unknown; node?: unknown; attributes?: unknown };
        const index = typeof it?.index === 'number' ? it.index : it?.node;
        if (typeof index === 'number' && Array.isArray(it.attributes)) out.set(index, it.attributes as UiAttribute[]);
      }
      return out;
    }
    for (const node of nodes) {
      const list = rec[String(node)];
      if (Array.isArray(list)) out.set(node, list as UiAttribute[]);
    }
  }
  return out;
}

export class AttributeCache {
  private readonly cache = new Map<number, readonly UiAttribute[]>();
  private readonly stale = new Set<number>();
  private readonly inflight = new Set<number>();
  private readonly wanted = new Set<number>();
  private readonly waiters = new Map<number, Array<(a: readonly UiAttribute[]) => void>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly server: string,
    private readonly epoch: number,
    private readonly send: (req: UiRequest) => Promise<unknown>,
    /** Called with the nodes whose attributes arrived (to re-render them, fix counts). */
    private readonly onLoaded: (loaded: Map<number, readonly UiAttribute[]>) => void,
  ) {}

  get(node: number): readonly UiAttribute[] | undefined {
    return this.cache.get(node);
  }

  /** The view shows attribute rows of `node`: fetch them when missing or stale. */
  want(node: number): void {
    if (this.closed || this.inflight.has(node)) return;
    if (this.cache.has(node) && !this.stale.has(node)) return;
    if (this.wanted.has(node)) return;
    this.wanted.add(node);
    this.timer ??= setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  /** A delta says these nodes' attributes changed. */
  invalidate(nodes: readonly number[]): void {
    for (const n of nodes) if (this.cache.has(n)) this.stale.add(n);
  }

  /** The attributes of one node (from the cache when fresh). */
  load(node: number): Promise<readonly UiAttribute[]> {
    const have = this.cache.get(node);
    if (have !== undefined && !this.stale.has(node)) return Promise.resolve(have);
    return new Promise((resolve) => {
      const list = this.waiters.get(node) ?? [];
      list.push(resolve);
      this.waiters.set(node, list);
      this.inflight.delete(node);
      this.want(node);
    });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const list of this.waiters.values()) for (const w of list) w([]);
    this.waiters.clear();
  }

  private flush(): void {
    this.timer = undefined;
    if (this.closed) return;
    const all = [...this.wanted];
    this.wanted.clear();
    for (let k = 0; k < all.length; k += BATCH) {
      const nodes = all.slice(k, k + BATCH);
      for (const n of nodes) this.inflight.add(n);
      this.send({ what: 'attributes', server: this.server, epoch: this.epoch, nodes })
        .then((data) => {
          if (this.closed) return;
          const got = readAttributesResponse(data, nodes);
          for (const n of nodes) {
            this.inflight.delete(n);
            const a = got.get(n) ?? this.cache.get(n) ?? [];
            this.cache.set(n, a);
            this.stale.delete(n);
            const w = this.waiters.get(n);
            if (w !== undefined) {
              this.waiters.delete(n);
              for (const f of w) f(a);
            }
          }
          this.onLoaded(got);
        })
        .catch(() => {
          for (const n of nodes) {
            this.inflight.delete(n);
            if (!this.cache.has(n)) this.cache.set(n, []);
            const w = this.waiters.get(n);
            if (w !== undefined) {
              this.waiters.delete(n);
              for (const f of w) f(this.cache.get(n) ?? []);
            }
          }
        });
    }
  }
}
