/**
 * The browser tree's pure modules, headless (house style: "Tree model tested headlessly, with a
 * seeded random operation test"): web/src/tree/snapshot-decode.ts, server-tree.ts, forest.ts,
 * search-query.ts, scroll-scale.ts, deep-link.ts, attribute-cache.ts (response reading), loaded
 * through Vite's module runner (they are TypeScript for the browser build, not part of dist/).
 *
 * The random test checks every operation (expand, collapse, expand/collapse below, status filter,
 * state deltas, attribute counts) against a naive model that flattens the tree from scratch:
 * row count, locate(k), indexOf(row), next(row) and aria posinset/setsize for every row.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { before, test } from 'node:test';
import { runnerImport } from 'vite';
import type { SnapshotColumns } from '../src/server/ui-protocol.js';

// ---- the shapes of the web modules used here (web/ is type-checked by web/tsconfig.json) ----
interface Decoded {
  n: number;
  parent: Int32Array;
  firstChild: Int32Array;
  nextSibling: Int32Array;
  depth: Int32Array;
  kind: Uint8Array;
  state: Uint8Array;
  flags: Int32Array;
  attrCount: Uint16Array;
  defStatus: Uint8Array;
}
interface Row {
  node: number;
  attr: number;
}
interface Filter {
  stateMask: number;
  suspended: boolean;
}
interface Tree {
  n: number;
  rootVis: number;
  expanded: Uint8Array;
  t: Decoded;
  find(path: string): number;
  path(i: number): string;
  setExpanded(i: number, on: boolean): boolean;
  setExpandedBelow(i: number, on: boolean): void;
  setFilter(f: Filter): void;
  applyNode(i: number, state: number, flags: number): number;
  setAttrCount(i: number, c: number): void;
  locate(k: number): Row | undefined;
  indexOf(r: Row): number;
  next(r: Row): Row | undefined;
  positionInSet(r: Row): { pos: number; size: number };
  carryExpansion(old: Tree): void;
  isExpanded(i: number): boolean;
}
interface Modules {
  decode: {
    decodeColumns(c: SnapshotColumns): Decoded;
    nodeName(t: unknown, i: number): string;
    findPath(t: unknown, path: string): number;
    ROOT: number;
    NONE: number;
  };
  tree: { ServerTree: new (server: string, epoch: number, t: Decoded) => Tree };
  forest: {
    Forest: new (entries: () => ReadonlyArray<{ name: string; tree: Tree | undefined; expanded: boolean }>) => {
      total(): number;
      rowAt(g: number): { s: number; node: number; attr: number } | undefined;
      next(r: { s: number; node: number; attr: number }): { s: number; node: number; attr: number } | undefined;
      indexOf(r: { s: number; node: number; attr: number }): number;
    };
  };
  search: {
    compileQuery(q: unknown): { test: ((s: string) => boolean) | undefined; onPath: boolean };
    passesFilters(q: unknown, state: number, kind: number, flags: number): boolean;
    wildcardToRegex(g: string): string;
  };
  scroll: {
    scrollSpace(rows: number, rowPx: number, viewPx: number): { realPx: number; ratio: number; maxVirt: number };
    virtFromScrollTop(s: unknown, top: number): number;
    scrollTopFromVirt(s: unknown, v: number): number;
    MAX_REAL_PX: number;
  };
  link: { formatPlace(p: { server: string; path: string; panel?: string }): string; parsePlace(h: string): { server: string; path: string; panel?: string } | undefined };
  attrs: { readAttributesResponse(data: unknown, nodes: readonly number[]): Map<number, unknown[]> };
  backoff: { reconnectDelay(attempt: number, random?: () => number): number };
}

let m: Modules;
const web = (p: string): string => fileURLToPath(new URL(`../../web/src/${p}`, import.meta.url));

before(async () => {
  const load = async <T>(p: string): Promise<T> => (await runnerImport<T>(web(p), { configFile: false, logLevel: 'silent' })).module;
  m = {
    decode: await load('tree/snapshot-decode.ts'),
    tree: await load('tree/server-tree.ts'),
    forest: await load('tree/forest.ts'),
    search: await load('search/search-query.ts'),
    scroll: await load('tree/scroll-scale.ts'),
    link: await load('deep-link.ts'),
    attrs: await load('tree/attribute-cache.ts'),
    backoff: await load('worker/backoff.ts'),
  };
});

/** Mulberry32: a small seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RefNode {
  name: string;
  depth: number;
  kind: string;
  state: number;
  attrs: number;
  kids: RefNode[];
}

/** A random tree in pre-order: suites, families, tasks (and a few aliases under tasks). */
function randomTree(r: () => number, size: number): RefNode[] {
  const suites: RefNode[] = [];
  const all: RefNode[] = [];
  const open: RefNode[] = [];
  let count = 0;
  while (count < size) {
    // pick a parent: an open container (or a new suite)
    const containers = open.filter((x) => x.kind === 's' || x.kind === 'f' || (x.kind === 't' && r() < 0.05));
    const parent = containers.length === 0 || r() < 0.04 ? undefined : containers[Math.floor(r() * containers.length)]!;
    const depth = parent === undefined ? 0 : parent.depth + 1;
    const kind = parent === undefined ? 's' : parent.kind === 't' ? 'a' : depth < 4 && r() < 0.35 ? 'f' : 't';
    const sibs = parent === undefined ? suites : parent.kids;
    const node: RefNode = { name: `${kind}${sibs.length}`, depth, kind, state: Math.floor(r() * 6) | (r() < 0.1 ? 8 : 0), attrs: r() < 0.3 ? Math.floor(r() * 4) : 0, kids: [] };
    sibs.push(node);
    all.push(node);
    open.push(node);
    count++;
  }
  return suites;
}

function preorder(suites: RefNode[]): RefNode[] {
  const out: RefNode[] = [];
  const walk = (n: RefNode): void => {
    out.push(n);
    n.kids.forEach(walk);
  };
  suites.forEach(walk);
  return out;
}

function columns(suites: RefNode[]): SnapshotColumns {
  const list = preorder(suites);
  const attributeCounts: number[] = [];
  list.forEach((n, i) => {
    if (n.attrs > 0) attributeCounts.push(i, n.attrs);
  });
  return {
    names: list.map((n) => n.name).join('\n'),
    depths: list.map((n) => String.fromCharCode(48 + n.depth)).join(''),
    kinds: list.map((n) => n.kind).join(''),
    states: list.map((n) => String.fromCharCode(48 + n.state)).join(''),
    flags: [],
    defStatus: [],
    attributeCounts,
  };
}

/** The naive flattening: every shown row, recomputed from scratch. */
function naiveRows(t: Tree, f: Filter): Row[] {
  const d = t.t;
  const matches = (i: number): boolean => (f.stateMask & (1 << (d.state[i]! & 7))) !== 0 || (f.suspended && (d.state[i]! & 8) !== 0);
  const active = f.stateMask !== 0 || f.suspended;
  const passes = (i: number): boolean => {
    if (!active) return true;
    if (matches(i)) return true;
    for (let c = d.firstChild[i]!; c >= 0; c = d.nextSibling[c]!) if (passes(c)) return true;
    return false;
  };
  const rows: Row[] = [];
  const walk = (i: number): void => {
    if (!passes(i)) return;
    rows.push({ node: i, attr: -1 });
    if (t.expanded[i] !== 1) return;
    for (let a = 0; a < d.attrCount[i]!; a++) rows.push({ node: i, attr: a });
    for (let c = d.firstChild[i]!; c >= 0; c = d.nextSibling[c]!) walk(c);
  };
  for (let s = t.n > 0 ? 0 : -1; s >= 0; s = d.nextSibling[s]!) walk(s);
  return rows;
}

function check(t: Tree, f: Filter, what: string): void {
  const want = naiveRows(t, f);
  assert.equal(t.rootVis, want.length, `${what}: row count`);
  let prev: Row | undefined;
  want.forEach((row, k) => {
    assert.deepEqual(t.locate(k), row, `${what}: locate(${k})`);
    assert.equal(t.indexOf(row), k, `${what}: indexOf(${JSON.stringify(row)})`);
    if (prev !== undefined) assert.deepEqual(t.next(prev), row, `${what}: next of row ${k - 1}`);
    prev = row;
  });
  if (prev !== undefined) assert.equal(t.next(prev), undefined, `${what}: next of the last row`);
  assert.equal(t.locate(want.length), undefined);
  // posinset/setsize: among the rows with the same parent row
  const d = t.t;
  for (const row of want) {
    const owner = row.attr >= 0 ? row.node : d.parent[row.node]!;
    const group = want.filter((x) => (x.attr >= 0 ? x.node === owner : d.parent[x.node] === owner && (owner === -1 || t.expanded[owner] === 1)));
    const pos = group.findIndex((x) => x.node === row.node && x.attr === row.attr) + 1;
    assert.deepEqual(t.positionInSet(row), { pos, size: group.length }, `${what}: positionInSet ${JSON.stringify(row)}`);
  }
}

test('decodeColumns rebuilds parent/child/sibling links, names and paths from the depth column', () => {
  const suites = randomTree(rng(7), 400);
  const list = preorder(suites);
  const d = m.decode.decodeColumns(columns(suites));
  assert.equal(d.n, list.length);
  const index = new Map(list.map((n, i) => [n, i]));
  list.forEach((n, i) => {
    assert.equal(m.decode.nodeName(d, i), n.name);
    assert.equal(d.firstChild[i], n.kids.length > 0 ? index.get(n.kids[0]!) : -1);
    n.kids.forEach((k, j) => {
      assert.equal(d.parent[index.get(k)!], i);
      assert.equal(d.nextSibling[index.get(k)!], j + 1 < n.kids.length ? index.get(n.kids[j + 1]!) : -1);
    });
  });
  suites.forEach((s, j) => assert.equal(d.nextSibling[index.get(s)!], j + 1 < suites.length ? index.get(suites[j + 1]!) : -1));
  const tree = new m.tree.ServerTree('srv', 1, d);
  for (let i = 0; i < d.n; i += 7) {
    const p = tree.path(i);
    assert.equal(tree.find(p), i, p);
    assert.equal(m.decode.findPath(d, p), i, p);
  }
  assert.equal(tree.find('/'), m.decode.ROOT);
  assert.equal(tree.find('/nope/x'), m.decode.NONE);
});

test('decodeColumns never throws on malformed columns', () => {
  const d = m.decode.decodeColumns({ names: 'a', depths: '0359', kinds: 'sxft', states: '0\u00ff12', flags: [9, 1, 0], defStatus: [0], attributeCounts: [1, 99999, -1, 2] });
  assert.equal(d.n, 4);
  assert.deepEqual([...d.depth], [0, 1, 2, 3], 'depth jumps are clamped to one level');
  assert.equal(m.decode.nodeName(d, 0), 'a');
  assert.equal(m.decode.nodeName(d, 3), '', 'missing names read as empty');
  assert.equal(d.attrCount[1], 65535);
  assert.equal(d.state[1], 0);
});

test('seeded random operations: the row model always equals a naive flattening', () => {
  for (let seed = 1; seed <= 12; seed++) {
    const r = rng(seed);
    const suites = randomTree(r, 60 + Math.floor(r() * 140));
    const d = m.decode.decodeColumns(columns(suites));
    const t = new m.tree.ServerTree('srv', 1, d);
    let f: Filter = { stateMask: 0, suspended: false };
    check(t, f, `seed ${seed} initial`);
    for (let step = 0; step < 120; step++) {
      const i = Math.floor(r() * d.n);
      const op = r();
      let what: string;
      if (op < 0.35) {
        what = `setExpanded(${i})`;
        t.setExpanded(i, r() < 0.7);
      } else if (op < 0.45) {
        const target = r() < 0.2 ? m.decode.ROOT : i;
        const on = r() < 0.6;
        what = `setExpandedBelow(${target}, ${on})`;
        t.setExpandedBelow(target, on);
      } else if (op < 0.55) {
        f = r() < 0.3 ? { stateMask: 0, suspended: false } : { stateMask: Math.floor(r() * 64), suspended: r() < 0.3 };
        what = `setFilter(${JSON.stringify(f)})`;
        t.setFilter(f);
      } else if (op < 0.9) {
        const st = Math.floor(r() * 6) | (r() < 0.15 ? 8 : 0);
        what = `applyNode(${i}, ${st})`;
        t.applyNode(i, st, 0);
      } else {
        const c = Math.floor(r() * 4);
        what = `setAttrCount(${i}, ${c})`;
        t.setAttrCount(i, c);
      }
      check(t, f, `seed ${seed} step ${step} ${what}`);
    }
  }
});

test('a new epoch takes the expansion over by path', () => {
  const r = rng(99);
  const suites = randomTree(r, 300);
  const old = new m.tree.ServerTree('srv', 1, m.decode.decodeColumns(columns(suites)));
  for (let i = 0; i < old.n; i++) if (r() < 0.4) old.setExpanded(i, true);
  // The next epoch: the first suite's children reversed, one node removed, one added.
  const next = structuredClone(suites);
  next[0]!.kids.reverse();
  const victim = next[1]?.kids.pop();
  next[0]!.kids.push({ name: 'new', depth: 1, kind: 'f', state: 2, attrs: 0, kids: [] });
  const t = new m.tree.ServerTree('srv', 2, m.decode.decodeColumns(columns(next)));
  t.carryExpansion(old);
  // An old node is expanded in the new tree when it and all its ancestors were expanded before.
  const shown = (tree: Tree, i: number): boolean => {
    for (let p = i; p >= 0; p = tree.t.parent[p]!) if (tree.expanded[p] !== 1) return false;
    return true;
  };
  for (let i = 0; i < t.n; i++) {
    const p = t.path(i);
    const o = old.find(p);
    const want = o >= 0 && shown(old, o) && (t.t.firstChild[i]! >= 0 || t.t.attrCount[i]! > 0);
    assert.equal(t.isExpanded(i), want, p);
  }
  if (victim !== undefined) assert.equal(t.find(`/${next[1]!.name}/${victim.name}`), m.decode.NONE);
  check(t, { stateMask: 0, suspended: false }, 'after carryExpansion');
});

test('Forest: one list over servers (rows, next, indexOf)', () => {
  const a = new m.tree.ServerTree('a', 1, m.decode.decodeColumns(columns(randomTree(rng(3), 50))));
  const b = new m.tree.ServerTree('b', 1, m.decode.decodeColumns(columns(randomTree(rng(4), 30))));
  a.setExpandedBelow(m.decode.ROOT, true);
  const entries = [
    { name: 'a', tree: a, expanded: true },
    { name: 'x', tree: undefined, expanded: true },
    { name: 'b', tree: b, expanded: false },
  ];
  const f = new m.forest.Forest(() => entries);
  assert.equal(f.total(), 1 + a.rootVis + 1 + 1);
  let row = f.rowAt(0);
  for (let g = 0; g < f.total(); g++) {
    assert.deepEqual(f.rowAt(g), row, `row ${g}`);
    assert.equal(f.indexOf(row!), g);
    row = f.next(row!);
  }
  assert.equal(row, undefined);
  assert.equal(f.indexOf({ s: 2, node: 0, attr: -1 }), -1, 'a collapsed server hides its suites');
});

test('search queries: wildcard, regex, contains, exact; states, kinds, flags', () => {
  const q = (o: object) => m.search.compileQuery({ text: '', match: 'wildcard', on: 'auto', caseSensitive: false, states: [], kinds: [], flags: 0, servers: [], ...o });
  assert.equal(m.search.wildcardToRegex('t1?*.x'), '^t1..*\\.x$');
  const w = q({ text: 'T1*' });
  assert.ok(w.test!('t10') && w.test!('t1') && !w.test!('xt1'));
  const p = q({ text: 'f1/t*' });
  assert.ok(p.onPath && p.test!('/s0/f1/t5') && !p.test!('/s0/f11/t5'));
  assert.ok(q({ text: '/s0/*/t9' }).test!('/s0/f3/t9'));
  const re = q({ text: '^t[0-9]$', match: 'regex', caseSensitive: true });
  assert.ok(re.test!('t5') && !re.test!('T5') && !re.test!('t55'));
  assert.throws(() => q({ text: 't[', match: 'regex' }), SyntaxError);
  assert.ok(q({ text: 'ain', match: 'contains' }).test!('MAIN'));
  assert.ok(!q({ text: 'ain', match: 'exact' }).test!('main'));
  assert.equal(q({}).test, undefined, 'empty text matches every name');
  const s = q({ states: [3, 8], kinds: ['task'], flags: 1 << 7 });
  assert.ok(m.search.passesFilters(s, 3, 2, 1 << 7));
  assert.ok(m.search.passesFilters(s, 2 | 8, 2, 1 << 7), 'suspended');
  assert.ok(!m.search.passesFilters(s, 2, 2, 1 << 7), 'queued');
  assert.ok(!m.search.passesFilters(s, 3, 1, 1 << 7), 'family');
  assert.ok(!m.search.passesFilters(s, 3, 2, 0), 'not late');
});

test('scroll scaling stays under the browsers\' element height caps and maps both ways', () => {
  const small = m.scroll.scrollSpace(1000, 20, 600);
  assert.deepEqual(small, { realPx: 20000, ratio: 1, maxVirt: 19400 });
  const big = m.scroll.scrollSpace(5_000_000, 20, 600);
  assert.equal(big.realPx, m.scroll.MAX_REAL_PX);
  assert.equal(m.scroll.virtFromScrollTop(big, m.scroll.MAX_REAL_PX - 600), big.maxVirt, 'the bottom of the scrollbar is the last row');
  assert.ok(Math.abs(m.scroll.virtFromScrollTop(big, m.scroll.scrollTopFromVirt(big, 12_345_678)) - 12_345_678) < 1e-3);
});

test('deep links: format and parse round trip; anything else is not a place', () => {
  for (const p of [
    { server: 'prod', path: '/s/f/t', panel: 'output' },
    { server: 'a b/c', path: '/' },
    { server: 'x', path: '/o_suite/fam.1/t%1' },
  ]) {
    assert.deepEqual(m.link.parsePlace(m.link.formatPlace(p)), p);
  }
  assert.equal(m.link.formatPlace({ server: 'prod', path: '/s/f/t', panel: 'output' }), '#/s/prod/n/s/f/t?panel=output');
  assert.equal(m.link.parsePlace('#/other'), undefined);
  assert.equal(m.link.parsePlace(''), undefined);
  assert.equal(m.link.parsePlace('#/s/%E0%A4%A'), undefined);
});

test('attributes answers: the server\'s { epoch, nodes: [{ index, attributes }] } and the older shapes', () => {
  const a = [{ kind: 'label', name: 'l', value: 'v', original: '' }];
  assert.deepEqual([...m.attrs.readAttributesResponse({ epoch: 1, nodes: [{ index: 5, attributes: a }] }, [5, 6])], [[5, a]]);
  assert.deepEqual([...m.attrs.readAttributesResponse([a, []], [5, 6])], [[5, a], [6, []]]);
  assert.deepEqual([...m.attrs.readAttributesResponse({ 6: a }, [5, 6])], [[6, a]]);
  assert.equal(m.attrs.readAttributesResponse(null, [1]).size, 0);
});

test('reconnect delays grow to 15 s with jitter', () => {
  assert.equal(m.backoff.reconnectDelay(0, () => 0.5), 500);
  assert.equal(m.backoff.reconnectDelay(20, () => 0.5), 15000);
  for (let k = 0; k < 50; k++) {
    const d = m.backoff.reconnectDelay(3);
    assert.ok(d >= 3000 && d <= 5000, String(d));
  }
});
