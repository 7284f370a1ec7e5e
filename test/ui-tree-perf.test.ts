/**
 * The browser tree with a million nodes (house style "A tree of a million nodes in the browser",
 * budget 6): a 1,000,000-task defs (generateSuiteDefs → parseDefs → node table) served by the test
 * UI server to Debian's Chromium. Measured and printed (t.diagnostic, for the benchmark): snapshot
 * size, JSON parse and decode in the worker, main-thread work, time to the first painted tree,
 * expand-all, scroll to the end, a search over every node, and the heap. Asserted: no long task
 * (PerformanceObserver 'longtask') over 50 ms on the main thread while expanding everything and
 * scrolling to the end, nor while the worker searches.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { generateSuiteDefs } from '../src/model/generate-defs.js';
import { parseDefs } from '../src/protocol/defs-parser.js';
import { CHROMIUM, repoPath, shotOnce, startTestUi } from './ui-tree-harness.js';

// Browser globals inside page.evaluate callbacks (this file is compiled without the DOM lib).
interface PerfEntry {
  readonly name: string;
  readonly startTime: number;
  readonly duration: number;
  readonly detail?: unknown;
}
declare const performance: { now(): number; getEntriesByName(name: string): PerfEntry[] };
declare const document: {
  querySelector(s: string): { click(): void; focus(): void; dispatchEvent(e: unknown): boolean; scrollTop: number; scrollHeight: number; clientHeight: number } | null;
  querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string | null; textContent: string | null }> & Iterable<{ getAttribute(n: string): string | null; textContent: string | null }>;
};
declare const window: { __longTasks: Array<{ start: number; duration: number }> };
declare function requestAnimationFrame(cb: () => void): number;
declare class KeyboardEvent {
  constructor(type: string, init: { key: string; bubbles: boolean });
}
declare class WheelEvent {
  constructor(type: string, init: { deltaY: number; bubbles: boolean; cancelable: boolean });
}

const TASKS = 1_000_000;

type HeapUsage = { usedSize: number; totalSize: number; backingStorageSize?: number };

/** Heap of the page's dedicated worker, after a GC (CDP through the browser session: Playwright has no worker CDP session). */
async function workerHeap(browser: Browser): Promise<HeapUsage | undefined> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: Array<{ type: string; targetId: string }> };
    const w = targetInfos.find((x) => x.type === 'worker');
    if (w === undefined) return undefined;
    const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId: w.targetId, flatten: false })) as { sessionId: string };
    let next = 1;
    const call = (method: string): Promise<unknown> => {
      const id = next++;
      return new Promise((resolve) => {
        cdp.on('Target.receivedMessageFromTarget', (e: { message: string }) => {
          const msg = JSON.parse(e.message) as { id?: number; result?: unknown };
          if (msg.id === id) resolve(msg.result);
        });
        void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
      });
    };
    await call('HeapProfiler.collectGarbage');
    return (await call('Runtime.getHeapUsage')) as HeapUsage;
  } finally {
    await cdp.detach();
  }
}

test('a 1,000,000-node tree: first paint, expand all, scroll to the end without long tasks', { timeout: 600_000 }, async (t) => {
  const g0 = performance.now();
  const { defs } = parseDefs(generateSuiteDefs({ tasks: TASKS, withState: true }));
  const genMs = performance.now() - g0;
  const ui = await startTestUi([{ name: 'big', defs }]);
  const w0 = performance.now();
  const chars = ui.warm('big');
  t.diagnostic(`defs generated+parsed in ${genMs.toFixed(0)} ms; snapshot message ${(chars / 1e6).toFixed(1)} M chars built in ${(performance.now() - w0).toFixed(0)} ms`);

  const browser = await chromium.launch(CHROMIUM);
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(() => {
      const w = window as unknown as { __longTasks: Array<{ start: number; duration: number }> };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask' as never, buffered: true });
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    await page.goto(ui.url);
    await page.waitForFunction(() => performance.getEntriesByName('ecflow:tree-painted').length > 0, undefined, { timeout: 120_000 });
    const load = await page.evaluate(() => {
      const snap = performance.getEntriesByName('ecflow:snapshot')[0]!;
      const paint = performance.getEntriesByName('ecflow:tree-painted')[0]!;
      return { stats: snap.detail as { nodes: number; chars: number; parseMs: number; decodeMs: number; mainMs: number }, snapAt: snap.startTime, paintAt: paint.startTime, longTasks: window.__longTasks.slice() };
    });
    const n = load.stats.nodes;
    assert.ok(n > TASKS, `${n} nodes`);
    t.diagnostic(`nodes: ${n}`);
    t.diagnostic(`snapshot: ${(load.stats.chars / 1e6).toFixed(1)} M chars; worker JSON.parse ${load.stats.parseMs.toFixed(0)} ms, decode to typed arrays ${load.stats.decodeMs.toFixed(0)} ms; main thread ${load.stats.mainMs.toFixed(1)} ms`);
    t.diagnostic(`first painted tree: ${load.paintAt.toFixed(0)} ms after navigation start`);
    t.diagnostic(`long tasks while loading: ${load.longTasks.length === 0 ? 'none' : load.longTasks.map((l) => `${l.duration.toFixed(0)} ms at ${l.start.toFixed(0)}`).join(', ')} (snapshot applied at ${load.snapAt.toFixed(0)})`);

    // Expand everything (one O(n) pass, then a frame), scroll to the very end (End key), wheel, drag
    // the scrollbar to the middle. Long tasks are wall time: on a shared machine (the test runner
    // runs two files at once on two cores) a starved renderer or JIT thread makes one round slow.
    // Up to three rounds (collapse all in between); every round is printed, one must be clean.
    let clean = false;
    for (let round = 1; round <= 3 && !clean; round++) {
      const expand = await page.evaluate(async (again) => {
        const frames = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
        const button = (text: string): { click(): void } => [...document.querySelectorAll('button')].find((b) => b.textContent === text) as unknown as { click(): void };
        if (again) {
          button('Collapse all').click();
          await frames();
        }
        window.__longTasks.length = 0;
        const t0 = performance.now();
        button('Expand all').click();
        const work = performance.now() - t0;
        await frames();
        return { ms: performance.now() - t0, work };
      }, round > 1);
      await page.locator('[role=treeitem][aria-level="4"]').first().waitFor();
      const scroll = await page.evaluate(async () => {
        const frames = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
        const tree = document.querySelector('[role=tree]')!;
        const first = [...document.querySelectorAll('[role=treeitem]')][0]!;
        (first as unknown as { click(): void }).click();
        const t0 = performance.now();
        tree.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));
        const endWork = performance.now() - t0;
        await frames();
        const endMs = performance.now() - t0;
        const selected = [...document.querySelectorAll('[role=treeitem][aria-selected=true]')].map((r) => r.getAttribute('aria-label'));
        const t1 = performance.now();
        for (let k = 0; k < 20; k++) {
          tree.dispatchEvent(new WheelEvent('wheel', { deltaY: -400, bubbles: true, cancelable: true }));
          await frames();
        }
        const wheelMs = (performance.now() - t1) / 20;
        const t2 = performance.now();
        tree.scrollTop = (tree.scrollHeight - tree.clientHeight) / 2;
        await frames();
        const dragMs = performance.now() - t2;
        const middle = [...document.querySelectorAll('[role=treeitem]')].map((r) => r.getAttribute('aria-label'));
        return { endWork, endMs, wheelMs, dragMs, selected, middle, scrollHeight: tree.scrollHeight, rows: document.querySelectorAll('[role=treeitem]').length, longTasks: window.__longTasks.slice() };
      });
      assert.deepEqual(scroll.selected, ['t99'], 'the last row is the last task of the last family');
      assert.ok(scroll.middle.some((l) => l !== null && /^t\d+$/.test(l)), 'the middle of the tree shows tasks');
      assert.ok(scroll.scrollHeight <= 8_000_000, `scroll space scaled: ${scroll.scrollHeight}px`);
      t.diagnostic(`round ${round}: expand all (${n} nodes) ${expand.work.toFixed(0)} ms of work, ${expand.ms.toFixed(0)} ms to the second painted frame`);
      t.diagnostic(`round ${round}: scroll to the end ${scroll.endWork.toFixed(1)} ms of work, ${scroll.endMs.toFixed(0)} ms to the second frame; wheel step ${scroll.wheelMs.toFixed(1)} ms/frame; scrollbar jump to the middle ${scroll.dragMs.toFixed(0)} ms; ${scroll.rows} row elements; scroll height ${scroll.scrollHeight}px for ${n} rows`);
      t.diagnostic(`round ${round}: long tasks during expand-all + scrolling: ${scroll.longTasks.length === 0 ? 'none' : scroll.longTasks.map((l) => l.duration.toFixed(0) + ' ms').join(', ')}`);
      clean = scroll.longTasks.every((l) => l.duration <= 50);
    }
    assert.ok(clean, 'a long task over 50 ms in every round of expand-all + scrolling');
    await shotOnce(page, repoPath('docs/screenshots/tree-million.png'));

    // A search over every node runs in the worker: the page stays responsive.
    await page.evaluate(() => {
      window.__longTasks.length = 0;
    });
    await page.getByRole('tab', { name: 'Search' }).click();
    await page.getByRole('searchbox', { name: 'Search text' }).fill('/s0/f9999/t*');
    const status = page.locator('.search-status').filter({ hasText: /results? — / });
    await status.waitFor({ timeout: 60_000 });
    t.diagnostic(`search by path over ${n} nodes: ${await status.textContent()}`);
    assert.match((await status.textContent()) ?? '', /^100 results/);
    const searchLong = await page.evaluate(() => window.__longTasks.slice());
    t.diagnostic(`long tasks during the search: ${searchLong.length === 0 ? 'none' : searchLong.map((l) => l.duration.toFixed(0) + ' ms').join(', ')}`);
    assert.ok(searchLong.every((l) => l.duration <= 50), `long tasks over 50 ms: ${JSON.stringify(searchLong)}`);

    // Heap (after a GC) of the page's main thread; ArrayBuffers are counted apart.
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')) as HeapUsage;
    const mb = (b: number | undefined): string => (b === undefined ? '?' : (b / 1048576).toFixed(1) + ' MB');
    t.diagnostic(`main thread heap after GC: JS ${mb(heap.usedSize)}, array buffers ${mb(heap.backingStorageSize)} (typed arrays ~34 B/node = ${mb(n * 34)}; the names are one string in the JS heap)`);
    const wh = await workerHeap(browser);
    if (wh !== undefined) t.diagnostic(`sync worker heap after GC: JS ${mb(wh.usedSize)}, array buffers ${mb(wh.backingStorageSize)} (its copy of the arrays, for searches)`);
    await context.close();
  } finally {
    await browser.close();
    await ui.close();
  }
});
