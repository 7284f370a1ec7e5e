/**
 * The browser UI over the REAL chain with a million tasks (issue 4 item 10): ecflow_server 5.9.2
 * (halted; 1,000,000 tasks in families of 100, a label, meter and event on every 10th, loaded with
 * our LoadDefsCmd and begun) → `ecflow-remote ui --no-open` as a child process (its own memory) →
 * Debian's Chromium through playwright-core. Built on test/ui-tree-perf.test.ts, which measures the
 * same browser work against a test server.
 *
 * Measured and printed (a benchmark, nothing asserted; PASS/FAIL lines for the goals):
 *  - ui server start → model loaded (its first full sync, the node table and the snapshot text);
 *    model loaded → first painted tree row (the browser was started before, so this is navigation,
 *    the 303 to the cookie, the page, the WebSocket, the snapshot over it, the worker's decode, the
 *    first frame); snapshot size, worker JSON.parse and decode, main-thread work; long tasks;
 *  - 3 rounds of expand-all + scroll to the end (End key, wheel, scrollbar jump): times and the
 *    main-thread long tasks (> 50 ms) of each; goal: one round without any (wall-time long tasks
 *    are noisy on a shared 2-core machine, like in the perf test);
 *  - a search by path over every node (in the worker) and the long tasks meanwhile;
 *  - a change on the server (ForceCmd aborted on a task whose row is shown) → the row's state text
 *    says so in the browser, 3 times at different moments of the poll period; goal ≤ 2 s;
 *  - heap after GC of the page's main thread and of its worker (CDP); RSS and peak (VmHWM) of our
 *    ui server process and of ecflow_server.
 *
 * Environment: BENCH_UI_TASKS (default 1000000).  `node dist/bench/ui.js` runs it alone.
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { EcflowClient } from '../src/client/ecflow-client.js';
import { generateSuiteDefs } from '../src/model/generate-defs.js';
import { startEcflowServer, type EcflowServer } from '../test/helpers/ecflow-server.js';
import { applyEnv, cleanEnv } from '../test/helpers/env.js';
import { makeTempDir, removeTempDir } from '../test/helpers/tmp.js';
import { CHROMIUM } from '../test/ui-tree-harness.js';
import { procMem, startUiChild, type Mem, type UiChild } from './ui-child.js';
import {
  clearLongTasks,
  expandAndScroll,
  longTasks,
  mainHeap,
  observeLongTasks,
  rowState,
  scrollToEnd,
  waitFirstPaint,
  watchedAt,
  watchRowState,
  workerHeaps,
  type HeapUsage,
  type LongTask,
  type RoundFigures,
} from './ui-page.js';

const FAMILY = 100;
const ATTR_EVERY = 10;
const ROUNDS = 3;
const LONG_TASK_MS = 50;
const GOAL_CHANGE_MS = 2000;
/** Waits before each server change, so that the changes fall at different moments of the 1.5 s poll period. */
const CHANGE_DELAYS_MS = [250, 750, 1250];
const SERVER_NAME = 'big';

export interface UiBenchResult {
  readonly skipped?: string;
  readonly error?: string;
  readonly tasks?: number;
  readonly nodes?: number;
  readonly browser?: string;
  readonly loadAvgStart?: string;
  readonly loadAvgEnd?: string;
  readonly setup?: { defsTextBytes: number; generateMs: number; loadMs: number; beginMs: number };
  /** `ecflow-remote ui` spawned → its health says the server is loaded. */
  readonly uiStartToModelMs?: number;
  /** Model loaded → first painted tree row (wall clock of the page's `ecflow:tree-painted` mark). */
  readonly modelToPaintMs?: number;
  /** page.goto → first painted tree row (wall clock). */
  readonly gotoToPaintMs?: number;
  /** Page timeline, ms after navigation start: snapshot applied, tree painted. */
  readonly pageSnapshotAt?: number;
  readonly pagePaintAt?: number;
  readonly snapshot?: { nodes: number; chars: number; parseMs: number; decodeMs: number; mainMs: number };
  readonly loadLongTasks?: LongTask[];
  readonly rounds?: RoundFigures[];
  readonly search?: { pattern: string; status: string; wallMs: number; longTasks: number[] };
  readonly changes?: Array<{ path: string; before: string | undefined; forceMs: number; seenMs: number | undefined }>;
  readonly heap?: { main: HeapUsage; workers: HeapUsage[] };
  readonly uiServerMem?: { afterModel: Mem; afterPaint: Mem; afterRounds: Mem; end: Mem };
  readonly ecflowServerMem?: { afterLoad: Mem; end: Mem };
  readonly verdicts: string[];
  readonly text: string;
}

// ---------------------------------------------------------------- helpers

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
const now = (): number => performance.timeOrigin + performance.now();
const n = (x: number): string => x.toLocaleString('en-US');
const ms = (x: number | undefined): string =>
  x === undefined || Number.isNaN(x) ? '-' : x < 10 ? `${x.toFixed(2)} ms` : `${n(Math.round(x))} ms`;
const mib = (kb: number | undefined): string => (kb === undefined || Number.isNaN(kb) ? '-' : `${(kb / 1024).toFixed(0)} MiB`);
const mb = (b: number | undefined): string => (b === undefined || Number.isNaN(b) ? '-' : `${(b / 1048576).toFixed(1)} MiB`);
const longs = (xs: readonly number[]): string => (xs.length === 0 ? 'none' : xs.map((d) => `${Math.round(d)} ms`).join(', '));
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sleep = (t: number): Promise<void> => new Promise((r) => setTimeout(r, t));

function log(msg: string): void {
  process.stderr.write(`[bench ui ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Resolve `p`, or give up after `t` ms (cleanup must not hang the bench). */
async function within(p: Promise<unknown>, t: number): Promise<void> {
  await Promise.race([p.catch(() => undefined), sleep(t)]);
}

/** Path of task number `i` (0-based) of generateSuiteDefs with one suite. */
const taskPath = (i: number): string => `/s0/f${Math.floor(i / FAMILY)}/t${i % FAMILY}`;

// ---------------------------------------------------------------- the run

export async function benchUi(tasks = Number(process.env['BENCH_UI_TASKS'] ?? 1_000_000)): Promise<UiBenchResult> {
  if (!Number.isInteger(tasks) || tasks < 10) throw new Error(`BENCH_UI_TASKS: an integer >= 10, got '${process.env['BENCH_UI_TASKS']}'`);
  const loadAvgStart = load();
  log(`${n(tasks)} tasks: starting a halted ecflow_server (load average ${loadAvgStart})`);
  let srv: EcflowServer | undefined;
  let ui: UiChild | undefined;
  let browser: Browser | undefined;
  let dir: string | undefined;
  try {
    dir = await makeTempDir('bench-ui');
    srv = await startEcflowServer({ halted: true, startTimeoutMs: 30_000 });
    const client = new EcflowClient({ host: srv.host, port: srv.port });
    const tg = performance.now();
    let defs: string | undefined = generateSuiteDefs({ tasks, familySize: FAMILY, attrEvery: ATTR_EVERY });
    const generateMs = performance.now() - tg;
    const defsTextBytes = Buffer.byteLength(defs);
    const tl = performance.now();
    await client.request({ cmd: 'LoadDefsCmd', defs }, { timeoutMs: 600_000 });
    const loadMs = performance.now() - tl;
    defs = undefined;
    const tb = performance.now();
    await client.request({ cmd: 'BeginCmd' }, { timeoutMs: 600_000 });
    const beginMs = performance.now() - tb;
    const ecflowAfterLoad = procMem(srv.pid);
    log(`generated ${mb(defsTextBytes)} of defs in ${ms(generateMs)}, loaded in ${ms(loadMs)}, begun in ${ms(beginMs)}; ecflow_server RSS ${mib(ecflowAfterLoad.rssKb)}`);

    // The browser first (idle on about:blank), so that "model loaded → painted" is the UI's work.
    browser = await chromium.launch({ ...CHROMIUM, timeout: 60_000 });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await observeLongTasks(context);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));

    const configPath = join(dir, 'config.toml');
    await writeFile(configPath, `[servers.${SERVER_NAME}]\nhost = "${srv.host}"\nport = ${srv.port}\n`, { mode: 0o600 });
    const t0 = now();
    // Its own XDG_RUNTIME_DIR: never attach to a running `up` of the machine.
    ui = await startUiChild(configPath, applyEnv(cleanEnv(), { ECFLOW_REMOTE_CONFIG: configPath, XDG_RUNTIME_DIR: dir }));
    log(`ui server ${ui.url.replace(/\?token=.*/, '')} (pid ${ui.pid}) started; waiting for its model`);
    await ui.modelLoaded(SERVER_NAME, 180_000);
    const tModel = now();
    const uiAfterModel = ui.mem();
    log(`model loaded ${ms(tModel - t0)} after the start; ui server RSS ${mib(uiAfterModel.rssKb)}; opening the page`);

    const tGoto = now();
    await page.goto(ui.url, { timeout: 60_000 });
    const first = await waitFirstPaint(page, 120_000);
    const uiAfterPaint = ui.mem();
    const nodes = first.stats.nodes;
    log(`first painted tree ${ms(first.paintEpoch - tModel)} after the model (${n(nodes)} nodes)`);

    const rounds: RoundFigures[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const r = await expandAndScroll(page, round);
      rounds.push(r);
      log(`round ${round}: expand all ${ms(r.expandMs)}, End ${ms(r.endMs)}; long tasks: expand ${longs(r.longExpand)}, scroll ${longs(r.longScroll)}`);
    }
    const uiAfterRounds = ui.mem();

    // A change on the server → the row's state text in the browser. The last tasks are shown after End.
    const lastRow = await scrollToEnd(page);
    const changes: NonNullable<UiBenchResult['changes']> = [];
    for (const [k, delay] of CHANGE_DELAYS_MS.entries()) {
      const path = taskPath(tasks - 1 - k);
      await sleep(delay);
      const before = await watchRowState(page, path, 'aborted', 15_000);
      const c0 = now();
      await client.request({ cmd: 'ForceCmd', paths: [path], stateOrEvent: 'aborted' }, { timeoutMs: 30_000 });
      const forceMs = now() - c0;
      const at = await watchedAt(page);
      const seenMs = at === undefined ? undefined : at - c0;
      changes.push({ path, before, forceMs, seenMs });
      log(`ForceCmd aborted ${path} (row ${before === undefined ? 'NOT shown' : `'${before}'`}) → ${seenMs === undefined ? 'NOT seen within 15 s' : `row says so after ${ms(seenMs)}`}`);
      if (seenMs === undefined) log(`  row state now: ${String(await rowState(page, path))}`);
    }

    // A search by path over every node (in the worker).
    const pattern = `/s0/f${Math.floor((tasks - 1) / FAMILY)}/t*`;
    await clearLongTasks(page);
    await page.getByRole('tab', { name: 'Search' }).click();
    const s0 = now();
    await page.getByRole('searchbox', { name: 'Search text' }).fill(pattern);
    const status = page.locator('.search-status').filter({ hasText: /results? — / });
    await status.waitFor({ timeout: 60_000 });
    const searchWall = now() - s0;
    const search = { pattern, status: (await status.textContent()) ?? '', wallMs: searchWall, longTasks: await longTasks(page) };
    log(`search ${pattern}: ${search.status}`);

    const heap = { main: await mainHeap(context, page), workers: await workerHeaps(browser) };
    const uiEnd = ui.mem();
    const ecflowEnd = procMem(srv.pid);
    const browserVersion = browser.version();

    const result = {
      tasks,
      nodes,
      browser: browserVersion,
      loadAvgStart,
      loadAvgEnd: load(),
      setup: { defsTextBytes, generateMs, loadMs, beginMs },
      uiStartToModelMs: tModel - t0,
      modelToPaintMs: first.paintEpoch - tModel,
      gotoToPaintMs: first.paintEpoch - tGoto,
      pageSnapshotAt: first.snapAt,
      pagePaintAt: first.paintAt,
      snapshot: first.stats,
      loadLongTasks: first.longTasks,
      rounds,
      search,
      changes,
      heap,
      uiServerMem: { afterModel: uiAfterModel, afterPaint: uiAfterPaint, afterRounds: uiAfterRounds, end: uiEnd },
      ecflowServerMem: { afterLoad: ecflowAfterLoad, end: ecflowEnd },
    };
    const notes: string[] = [];
    if (lastRow !== `t${(tasks - 1) % FAMILY}`) notes.push(`!!! the selected row after End is '${String(lastRow)}', not the last task`);
    for (const r of rounds) if (r.lastRow !== `t${(tasks - 1) % FAMILY}`) notes.push(`!!! round ${r.round}: the selected row after End is '${String(r.lastRow)}'`);
    if (pageErrors.length > 0) notes.push(`!!! page errors: ${pageErrors.slice(0, 3).join(' | ')}`);
    const { text, verdicts } = report(result, notes);
    return { ...result, verdicts, text };
  } finally {
    if (browser !== undefined) await within(browser.close(), 15_000);
    if (ui !== undefined) await ui.stop();
    if (srv !== undefined) await srv.stop();
    if (dir !== undefined) await removeTempDir(dir);
  }
}

// ---------------------------------------------------------------- report

type Done = Omit<Required<UiBenchResult>, 'skipped' | 'error' | 'verdicts' | 'text'>;

function report(r: Done, notes: string[]): { text: string; verdicts: string[] } {
  const rows: (readonly [string, string] | readonly [string])[] = [];
  const sec = (title: string): void => void rows.push([`-- ${title}`]);
  const row = (label: string, value: string): void => void rows.push([label, value]);
  const s = r.snapshot;
  const m = r.uiServerMem;

  sec('setup');
  row('load average at start / end', `${r.loadAvgStart.split(' ')[0]} / ${r.loadAvgEnd.split(' ')[0]}`);
  row('defs text / generate / load (our LoadDefsCmd) / begin', `${mb(r.setup.defsTextBytes)} / ${ms(r.setup.generateMs)} / ${ms(r.setup.loadMs)} / ${ms(r.setup.beginMs)}`);
  sec('data to the first painted tree');
  row('ui server start -> model loaded (full sync + table)', ms(r.uiStartToModelMs));
  row('model loaded -> first painted tree row', ms(r.modelToPaintMs));
  row('  page.goto -> first painted tree row', ms(r.gotoToPaintMs));
  row('  page timeline: snapshot applied / painted at', `${ms(r.pageSnapshotAt)} / ${ms(r.pagePaintAt)}`);
  row('snapshot message', `${(s.chars / 1e6).toFixed(1)} M chars, ${n(s.nodes)} nodes`);
  row('worker: JSON.parse / decode to typed arrays', `${ms(s.parseMs)} / ${ms(s.decodeMs)}`);
  row('main thread: applying the snapshot', ms(s.mainMs));
  row('long tasks while loading', longs(r.loadLongTasks.map((l) => l.duration)));
  sec(`expand all (${n(r.nodes)} nodes) + scroll to the end, ${r.rounds.length} rounds`);
  for (const x of r.rounds) {
    row(`round ${x.round}: expand all: work / to 2nd frame`, `${ms(x.expandWorkMs)} / ${ms(x.expandMs)}`);
    row(`round ${x.round}: End: work / to 2nd frame`, `${ms(x.endWorkMs)} / ${ms(x.endMs)}`);
    row(`round ${x.round}: wheel step / jump to the middle`, `${ms(x.wheelMs)} / ${ms(x.dragMs)}`);
    row(`round ${x.round}: long tasks: expand / scroll`, `${longs(x.longExpand)} / ${longs(x.longScroll)}${x.clean ? '  (clean)' : ''}`);
  }
  row('row elements / scroll height', `${r.rounds[0]?.rows ?? '-'} / ${n(r.rounds[0]?.scrollHeight ?? NaN)} px`);
  sec('search over every node (worker)');
  row(`'${r.search.pattern}'`, r.search.status);
  row('  typed -> results shown (incl. 250 ms debounce) / long tasks', `${ms(r.search.wallMs)} / ${longs(r.search.longTasks)}`);
  sec('a change on the server -> the row in the browser');
  for (const c of r.changes) {
    row(`ForceCmd aborted ${c.path}`, `${c.seenMs === undefined ? 'NOT SEEN' : ms(c.seenMs)} (request ${ms(c.forceMs)}; row was ${c.before === undefined ? 'not shown' : `'${c.before}'`})`);
  }
  sec('memory');
  row('browser main thread after GC: JS / array buffers', `${mb(r.heap.main.usedSize)} / ${mb(r.heap.main.backingStorageSize)}`);
  r.heap.workers.forEach((w, i) => row(`browser worker ${i + 1} after GC: JS / array buffers`, `${mb(w.usedSize)} / ${mb(w.backingStorageSize)}`));
  row('ui server RSS: model / painted / rounds / end', `${mib(m.afterModel.rssKb)} / ${mib(m.afterPaint.rssKb)} / ${mib(m.afterRounds.rssKb)} / ${mib(m.end.rssKb)}`);
  row('ui server peak RSS (VmHWM)', mib(m.end.hwmKb));
  row('ecflow_server RSS after load / end, peak', `${mib(r.ecflowServerMem.afterLoad.rssKb)} / ${mib(r.ecflowServerMem.end.rssKb)}, ${mib(r.ecflowServerMem.end.hwmKb)}`);

  const width = Math.max(...rows.map((x) => (x.length === 2 ? x[0].length : 0)));
  const lines = rows.map((x) => (x.length === 2 ? `  ${x[0].padEnd(width)}  ${x[1]}` : `  ${x[0]}`));

  const cleanRounds = r.rounds.filter((x) => x.clean).map((x) => x.round);
  const seen = r.changes.map((c) => c.seenMs);
  const worstChange = seen.some((x) => x === undefined) ? Infinity : Math.max(...(seen as number[]));
  const searchClean = r.search.longTasks.every((d) => d <= LONG_TASK_MS);
  const verdicts = [
    `${cleanRounds.length > 0 ? 'PASS' : 'FAIL'}  ui: no long task over ${LONG_TASK_MS} ms during expand-all + scroll to the end (${n(r.nodes)} nodes): clean round(s) ${cleanRounds.length === 0 ? 'none' : cleanRounds.join(', ')} of ${r.rounds.length}`,
    `${searchClean ? 'PASS' : 'FAIL'}  ui: no long task over ${LONG_TASK_MS} ms during a search over every node (${longs(r.search.longTasks)})`,
    `${worstChange <= GOAL_CHANGE_MS ? 'PASS' : 'FAIL'}  ui: a server change reaches the row in the browser within ${GOAL_CHANGE_MS / 1000} s: ${seen.map((x) => (x === undefined ? 'not seen' : ms(x))).join(', ')} (median ${ms(median(seen.filter((x): x is number => x !== undefined)))})`,
    `info  ui: data to the first painted tree: model loaded ${ms(r.uiStartToModelMs)} after the ui server started, painted ${ms(r.modelToPaintMs)} later`,
  ];
  const head = `ui (${n(r.tasks)} tasks = ${n(r.nodes)} nodes; real ecflow_server 5.9.2, halted -> \`ecflow-remote ui --no-open\` child process -> Chromium ${r.browser})`;
  return { text: [head, ...lines, ...(notes.length > 0 ? ['', ...notes] : []), '', ...verdicts].join('\n'), verdicts };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchUi().then(
    (r) => process.stdout.write(`\n${r.text}\n`),
    (e: unknown) => {
      process.stderr.write(`ui bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
