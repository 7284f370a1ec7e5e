/**
 * The browser side of the UI benchmark (bench/ui.ts): what runs in the page (long-task observer,
 * expand-all, scroll to the end, a row's state watch) and the heaps read through CDP. The page
 * functions are serialised by Playwright and run in Chromium, so they use only browser globals
 * (declared below: this file is compiled without the DOM lib) and nothing from this module.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';

// Browser globals inside page.evaluate callbacks.
interface PerfEntry {
  readonly name: string;
  readonly startTime: number;
  readonly duration: number;
  readonly detail?: unknown;
}
interface El {
  click(): void;
  dispatchEvent(e: unknown): boolean;
  getAttribute(n: string): string | null;
  querySelector(s: string): El | null;
  textContent: string | null;
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}
declare const performance: { now(): number; timeOrigin: number; getEntriesByName(name: string): PerfEntry[] };
declare const document: {
  querySelector(s: string): El | null;
  querySelectorAll(s: string): ArrayLike<El> & Iterable<El>;
};
declare const window: {
  __longTasks: Array<{ start: number; duration: number }>;
  __watch?: Promise<number | undefined>;
};
declare function requestAnimationFrame(cb: () => void): number;
declare function setTimeout(cb: () => void, ms: number): number;
declare class KeyboardEvent {
  constructor(type: string, init: { key: string; bubbles: boolean });
}
declare class WheelEvent {
  constructor(type: string, init: { deltaY: number; bubbles: boolean; cancelable: boolean });
}
declare class MutationObserver {
  constructor(cb: () => void);
  observe(target: El, init: { subtree: boolean; childList: boolean; characterData: boolean; attributes: boolean }): void;
  disconnect(): void;
}

export interface LongTask {
  readonly start: number;
  readonly duration: number;
}

/** Every main-thread long task (> 50 ms by definition) of the page goes to `window.__longTasks`. */
export async function observeLongTasks(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __longTasks: LongTask[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask' as never, buffered: true });
  });
}

export interface LoadFigures {
  readonly stats: { nodes: number; chars: number; parseMs: number; decodeMs: number; mainMs: number };
  /** Page timeline (ms after navigation start): snapshot applied, first painted tree. */
  readonly snapAt: number;
  readonly paintAt: number;
  /** Wall clock (ms since the epoch) of the first painted tree. */
  readonly paintEpoch: number;
  readonly longTasks: LongTask[];
}

/** Wait for the first painted tree (mark `ecflow:tree-painted`) and read the snapshot figures. */
export async function waitFirstPaint(page: Page, timeoutMs: number): Promise<LoadFigures> {
  await page.waitForFunction(() => performance.getEntriesByName('ecflow:tree-painted').length > 0, undefined, { timeout: timeoutMs });
  return page.evaluate(() => {
    const snap = performance.getEntriesByName('ecflow:snapshot')[0]!;
    const paint = performance.getEntriesByName('ecflow:tree-painted')[0]!;
    return {
      stats: snap.detail as LoadFigures['stats'],
      snapAt: snap.startTime,
      paintAt: paint.startTime,
      paintEpoch: performance.timeOrigin + paint.startTime,
      longTasks: window.__longTasks.slice(),
    };
  });
}

export interface RoundFigures {
  readonly round: number;
  /** Click on "Expand all" (synchronous work) and to the second painted frame. */
  readonly expandWorkMs: number;
  readonly expandMs: number;
  /** End key: synchronous work and to the second painted frame. */
  readonly endWorkMs: number;
  readonly endMs: number;
  /** One wheel step (-400 px) per two frames, average over 20. */
  readonly wheelMs: number;
  /** Scrollbar jump to the middle, to the second frame. */
  readonly dragMs: number;
  readonly rows: number;
  readonly scrollHeight: number;
  /** aria-label of the selected row after End (the last task). */
  readonly lastRow: string | null;
  /** Long tasks (ms) that started during expand-all, and during the scrolling. */
  readonly longExpand: number[];
  readonly longScroll: number[];
  readonly clean: boolean;
}

/**
 * One round: (collapse all, unless the first) expand all, then End, 20 wheel steps up, scrollbar
 * to the middle; long tasks split by when they started. Like test/ui-tree-perf.test.ts.
 */
export async function expandAndScroll(page: Page, round: number): Promise<RoundFigures> {
  const expand = await page.evaluate(async (again) => {
    const frames = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    const button = (text: string): El => [...document.querySelectorAll('button')].find((b) => b.textContent === text)!;
    if (again) {
      button('Collapse all').click();
      await frames();
    }
    window.__longTasks.length = 0;
    const t0 = performance.now();
    button('Expand all').click();
    const work = performance.now() - t0;
    await frames();
    return { start: t0, ms: performance.now() - t0, work };
  }, round > 1);
  await page.locator('[role=treeitem][aria-level="4"]').first().waitFor({ timeout: 30_000 });
  const scroll = await page.evaluate(async () => {
    const frames = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    const tree = document.querySelector('[role=tree]')!;
    const scrollStart = performance.now();
    [...document.querySelectorAll('[role=treeitem]')][0]!.click();
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
    // Long-task entries are queued to the observer a little after the task: let them arrive.
    await new Promise<void>((r) => setTimeout(() => r(), 100));
    await frames();
    return {
      scrollStart,
      endWork,
      endMs,
      wheelMs,
      dragMs,
      lastRow: selected[0] ?? null,
      rows: document.querySelectorAll('[role=treeitem]').length,
      scrollHeight: tree.scrollHeight,
      longTasks: window.__longTasks.slice(),
    };
  });
  const longExpand = scroll.longTasks.filter((l) => l.start < scroll.scrollStart).map((l) => l.duration);
  const longScroll = scroll.longTasks.filter((l) => l.start >= scroll.scrollStart).map((l) => l.duration);
  return {
    round,
    expandWorkMs: expand.work,
    expandMs: expand.ms,
    endWorkMs: scroll.endWork,
    endMs: scroll.endMs,
    wheelMs: scroll.wheelMs,
    dragMs: scroll.dragMs,
    rows: scroll.rows,
    scrollHeight: scroll.scrollHeight,
    lastRow: scroll.lastRow,
    longExpand,
    longScroll,
    clean: [...longExpand, ...longScroll].every((d) => d <= 50),
  };
}

/** Select the first row shown and press End: the last row (the last task) is shown and selected. */
export async function scrollToEnd(page: Page): Promise<string | null> {
  return page.evaluate(async () => {
    const frames = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    const tree = document.querySelector('[role=tree]')!;
    [...document.querySelectorAll('[role=treeitem]')][0]!.click();
    tree.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));
    await frames();
    return [...document.querySelectorAll('[role=treeitem][aria-selected=true]')].map((r) => r.getAttribute('aria-label'))[0] ?? null;
  });
}

/**
 * Start watching the row of `path` (its title starts with the path): resolves (in the page, as
 * `window.__watch`) with the wall clock (ms since the epoch) at which its state text first starts
 * with `want`, or undefined after `timeoutMs`. Returns the row's state text now (undefined: the
 * row is not shown).
 */
export async function watchRowState(page: Page, path: string, want: string, timeoutMs: number): Promise<string | undefined> {
  return page.evaluate(
    ({ path, want, timeoutMs }) => {
      const row = (): El | undefined => [...document.querySelectorAll('[role=treeitem]')].find((r) => (r.getAttribute('title') ?? '').startsWith(path + '\n'));
      const stateNow = (): string | undefined => {
        const r = row();
        return r === undefined ? undefined : (r.querySelector('.state')?.textContent ?? '');
      };
      window.__watch = new Promise((resolve) => {
        const mo = new MutationObserver(() => {
          if ((stateNow() ?? '').startsWith(want)) {
            const at = performance.timeOrigin + performance.now();
            mo.disconnect();
            resolve(at);
          }
        });
        mo.observe(document.querySelector('[role=tree]')!, { subtree: true, childList: true, characterData: true, attributes: true });
        setTimeout(() => {
          mo.disconnect();
          resolve(undefined);
        }, timeoutMs);
      });
      return stateNow();
    },
    { path, want, timeoutMs },
  );
}

/** The result of the last `watchRowState` (wall clock ms, or undefined on timeout). */
export async function watchedAt(page: Page): Promise<number | undefined> {
  return page.evaluate(() => window.__watch);
}

/** The state text of the row of `path` now (undefined: not shown). */
export async function rowState(page: Page, path: string): Promise<string | undefined> {
  return page.evaluate((path) => {
    const r = [...document.querySelectorAll('[role=treeitem]')].find((x) => (x.getAttribute('title') ?? '').startsWith(path + '\n'));
    return r === undefined ? undefined : (r.querySelector('.state')?.textContent ?? '');
  }, path);
}

export async function clearLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.__longTasks.length = 0;
  });
}

export async function longTasks(page: Page): Promise<number[]> {
  return page.evaluate(async () => {
    await new Promise<void>((r) => setTimeout(() => r(), 100));
    return window.__longTasks.map((l) => l.duration);
  });
}

export interface HeapUsage {
  readonly usedSize: number;
  readonly totalSize: number;
  readonly backingStorageSize?: number;
}

/** Heap of the page's main thread after a GC (JS heap; ArrayBuffers as backingStorageSize). */
export async function mainHeap(context: BrowserContext, page: Page): Promise<HeapUsage> {
  const cdp = await context.newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')) as HeapUsage;
  } finally {
    await cdp.detach();
  }
}

/**
 * Heaps of every dedicated worker after a GC, through the browser CDP session (Playwright has no
 * worker CDP session), as in test/ui-tree-perf.test.ts.
 */
export async function workerHeaps(browser: Browser): Promise<HeapUsage[]> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: Array<{ type: string; targetId: string }> };
    const out: HeapUsage[] = [];
    let next = 1;
    const pending = new Map<number, (result: unknown) => void>();
    cdp.on('Target.receivedMessageFromTarget', (e: { message: string }) => {
      const msg = JSON.parse(e.message) as { id?: number; result?: unknown };
      if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
    });
    for (const w of targetInfos.filter((x) => x.type === 'worker')) {
      const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId: w.targetId, flatten: false })) as { sessionId: string };
      const call = (method: string): Promise<unknown> => {
        const id = next++;
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`worker CDP ${method}: no answer`)), 30_000);
          pending.set(id, (r) => {
            clearTimeout(timer);
            pending.delete(id);
            resolve(r);
          });
          void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
        });
      };
      await call('HeapProfiler.collectGarbage');
      out.push((await call('Runtime.getHeapUsage')) as HeapUsage);
      await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
    }
    return out;
  } finally {
    await cdp.detach();
  }
}
