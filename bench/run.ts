/**
 * `npm run bench`: our client against the REAL ecflow_server 5.9.2 and the python3-ecflow
 * reference, measured in the same run.
 *
 * Per size (default 100,000 and 1,000,000 tasks; families of 100; label + meter + event on every
 * 10th task), on a fresh HALTED server (no job runs; suites begun while halted):
 *  1. generate the defs text, load it with OUR client (LoadDefsCmd), BeginCmd, one discarded
 *     SYNC_FULL (so neither side pays the server's first serialisation);
 *  2. full sync into our model (ServerSession.connect) vs python `Client.sync_local()`, each in a
 *     fresh child process, alternating, BENCH_REPEATS times (default 3): medians of wall time, CPU
 *     time and peak RSS; node counts by kind and state must be equal (python walks once per size);
 *  3. split of our full sync: connect, server (to the first reply byte), transfer, decodeReply,
 *     JSON.parse alone, parseDefs;
 *  4. incremental sync after ForceCmd complete on 10,000 tasks: SYNC round trip + decode and
 *     applyCompoundMementos timed apart (and the model checked against a fresh full sync), vs
 *     python's second `sync_local()` in one process (after ForceCmd on 10,000 other tasks);
 *  5. NEWS round trip, server RSS.
 *
 * The machine may be shared: the load average is printed, and CPU times are given next to wall
 * times (less sensitive to other processes).
 *
 * Then the routes (bench/routes.ts) and the browser UI over the real chain with 1M tasks (bench/ui.ts).
 *
 * Environment: BENCH_SIZES=100000[,1000000]  BENCH_REPEATS=3  BENCH_CPU_PROF=<dir> (V8 profiles of
 * the split and incremental children)  BENCH_ROUTES=0 / BENCH_UI=0 (skip those parts)
 * BENCH_UI_TASKS=1000000.  Results: JSON under os.tmpdir() (path printed at the end).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EcflowClient } from '../src/client/ecflow-client.js';
import { generateSuiteDefs } from '../src/model/generate-defs.js';
import { NSTATE_NAMES } from '../src/model/types.js';
import type { TreeSummary as OurSummary } from '../src/model/summary.js';
import { startEcflowServer, type EcflowServer } from '../test/helpers/ecflow-server.js';
import { cleanEnv } from '../test/helpers/env.js';
import { runCommand } from '../test/helpers/run.js';
import { taskPaths } from './layout.js';
import { benchRoutes } from './routes.js';
import { benchUi, type UiBenchResult } from './ui.js';
import { pythonFullSync, pythonIncremental, type PythonFullSync, type PythonIncremental } from './python-ref.js';
import type { ChildParams } from './sync-child.js';

type PySummary = NonNullable<PythonFullSync['summary']>;

const FAMILY = 100;
const ATTR_EVERY = 10;
const CHANGED = 10_000;
const GOAL_SIZE = 1_000_000;
const GOAL_WALL = 1.0;
const GOAL_RSS = 0.5;
const GOAL_APPLY_MS = 50;

const sizes = (process.env['BENCH_SIZES'] ?? '100000,1000000')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((x) => Number.isInteger(x) && x > 0);
const repeats = Math.max(1, Number(process.env['BENCH_REPEATS'] ?? 3) || 3);
const cpuProfDir = process.env['BENCH_CPU_PROF'];
const childScript = fileURLToPath(new URL('./sync-child.js', import.meta.url));

// ---------------------------------------------------------------- helpers

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (x: number | undefined): string =>
  x === undefined || Number.isNaN(x) ? '-' : x < 10 ? `${x.toFixed(2)} ms` : `${Math.round(x)} ms`;
const mib = (kb: number | undefined): string => (kb === undefined || Number.isNaN(kb) ? '-' : `${(kb / 1024).toFixed(0)} MiB`);
const bytes = (b: number | undefined): string =>
  b === undefined || Number.isNaN(b)
    ? '-'
    : b >= 1 << 20
      ? `${(b / (1 << 20)).toFixed(1)} MiB`
      : b >= 1024
        ? `${(b / 1024).toFixed(1)} KiB`
        : `${b} B`;
const ratio = (a: number, b: number): string => (b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}x` : '-');
const n = (x: number): string => x.toLocaleString('en-US');
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await f();
  return [r, performance.now() - t];
}

/** VmRSS / VmHWM of a process, KiB. */
function procMem(pid: number): { rssKb: number; hwmKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const get = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKb: get('VmRSS'), hwmKb: get('VmHWM') };
}

interface SessionResult {
  connectMs: number;
  cpuMs: number;
  versionMs: number;
  syncFullMs: number;
  parseMs: number;
  textChars: number;
  rssBeforeKb: number;
  maxRssKb: number;
  heapUsed: number;
  heapAfterGc?: number;
  summaryMs: number;
  summary: OurSummary;
  warningCount: number;
  warnings: string[];
}
interface SplitResult {
  versionMs: number;
  exchangeMs: number;
  connectMs: number;
  firstByteMs: number;
  transferMs: number;
  decodeMs: number;
  jsonParseMs: number;
  parseMs: number;
  replyBytes: number;
  textChars: number;
  maxRssKb: number;
  nodes: number;
  warningCount: number;
}
interface IncrementalResult {
  connectMs: number;
  newsMs: number;
  newsAnswer: string;
  changePaths: number;
  changeMs: number;
  newsAfter: string;
  newsAfterMs: number;
  syncExchangeMs: number;
  syncFirstByteMs: number;
  syncTransferMs: number;
  syncDecodeMs: number;
  syncDecodeWarmMs: number;
  syncReplyBytes: number;
  compounds: number;
  mementos: number;
  mementoTypes: Record<string, number>;
  applyMs: number;
  applyWarmMs: number;
  applyWarnings: string[];
  applyWarningCount: number;
  summary: OurSummary;
  diffVsFullSync: string[];
  maxRssKb: number;
}

/** One measurement of ours in a fresh node process. */
async function ours<T>(params: ChildParams, profile = false): Promise<T> {
  const flags = ['--expose-gc'];
  if (profile && cpuProfDir !== undefined) {
    mkdirSync(cpuProfDir, { recursive: true });
    flags.push('--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, `--cpu-prof-name=${params.mode}-${Date.now()}.cpuprofile`);
  }
  const r = await runCommand(process.execPath, [...flags, childScript, JSON.stringify(params)], {
    env: cleanEnv(),
    timeoutMs: 600_000,
  });
  if (r.code !== 0) {
    throw new Error(`bench child (${params.mode}) failed (code ${r.code}${r.timedOut ? ', timed out' : ''}):\n${r.stderr}${r.stdout}`);
  }
  const last = r.stdout.trimEnd().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}

/** Differences of node counts (kinds and states) between our summary and python's; [] = equal. */
function countDiffs(our: OurSummary, py: PySummary): string[] {
  const d: string[] = [];
  if (our.total !== py.total) d.push(`total ours=${our.total} python=${py.total}`);
  for (const k of ['suite', 'family', 'task', 'alias'] as const) {
    if (our.kinds[k] !== py.kinds[k]) d.push(`${k} ours=${our.kinds[k]} python=${py.kinds[k]}`);
  }
  const names = new Set<string>([...NSTATE_NAMES, ...Object.keys(py.states)]);
  for (const s of names) {
    const a = (our.states as Record<string, number>)[s] ?? 0;
    const b = py.states[s] ?? 0;
    if (a !== b) d.push(`state ${s} ours=${a} python=${b}`);
  }
  const pySusp = py.dstates['suspended'] ?? 0;
  if (our.suspended !== pySusp) d.push(`suspended ours=${our.suspended} python=${pySusp}`);
  return d;
}

// ---------------------------------------------------------------- one size

interface SizeResult {
  tasks: number;
  loadAvgStart: string;
  loadAvgEnd: string;
  defsTextBytes: number;
  generateMs: number;
  loadMs: number;
  loadedWith: string;
  beginMs: number;
  serverAfterLoad: { rssKb: number; hwmKb: number };
  serverAtEnd: { rssKb: number; hwmKb: number };
  ours: SessionResult[];
  python: PythonFullSync[];
  pythonSummary: PySummary;
  split: SplitResult;
  incremental: IncrementalResult;
  pythonIncremental: PythonIncremental;
  countMismatches: string[];
  median: {
    oursWallMs: number;
    pyWallMs: number;
    oursCpuMs: number;
    pyCpuMs: number;
    oursRssKb: number;
    pyRssKb: number;
  };
}

async function benchSize(tasks: number): Promise<SizeResult> {
  const loadAvgStart = load();
  log(`${n(tasks)} tasks: starting a halted ecflow_server (load average ${loadAvgStart})`);
  const srv: EcflowServer = await startEcflowServer({ halted: true, startTimeoutMs: 30_000 });
  try {
    const client = new EcflowClient({ host: srv.host, port: srv.port });
    const tg = performance.now();
    const defs = generateSuiteDefs({ tasks, familySize: FAMILY, attrEvery: ATTR_EVERY });
    const generateMs = performance.now() - tg;
    const defsTextBytes = Buffer.byteLength(defs);
    log(`generated ${bytes(defsTextBytes)} of defs in ${ms(generateMs)}; loading with our client (LoadDefsCmd)`);
    const [, loadMs] = await timed(() => client.request({ cmd: 'LoadDefsCmd', defs }, { timeoutMs: 600_000 }));
    const [, beginMs] = await timed(() => client.request({ cmd: 'BeginCmd' }, { timeoutMs: 600_000 }));
    const serverAfterLoad = procMem(srv.pid);
    log(`loaded in ${ms(loadMs)}, begun in ${ms(beginMs)}; server RSS ${mib(serverAfterLoad.rssKb)}`);
    await client.syncFull({ timeoutMs: 600_000 }); // warm-up, discarded

    const oursRuns: SessionResult[] = [];
    const pyRuns: PythonFullSync[] = [];
    for (let i = 0; i < repeats; i++) {
      // Alternate (ours first on even runs) so drift does not favour one side.
      for (const side of i % 2 === 0 ? ['ours', 'python'] : ['python', 'ours']) {
        if (side === 'ours') {
          const r = await ours<SessionResult>({ mode: 'session', host: srv.host, port: srv.port });
          log(`  full sync #${i + 1} ours:   ${ms(r.connectMs)} (cpu ${ms(r.cpuMs)}), maxRSS ${mib(r.maxRssKb)}`);
          oursRuns.push(r);
        } else {
          const r = await pythonFullSync(srv.host, srv.port, i === 0);
          log(`  full sync #${i + 1} python: ${ms(r.syncMs)} (cpu ${ms(r.cpuMs)}), maxRSS ${mib(r.rssAfterSyncKb)}`);
          pyRuns.push(r);
        }
      }
    }
    const pythonSummary = pyRuns[0]!.summary!;
    const countMismatches: string[] = [];
    for (const [i, r] of oursRuns.entries()) {
      for (const d of countDiffs(r.summary, pythonSummary)) countMismatches.push(`run ${i + 1}: ${d}`);
    }

    log('  split of our full sync');
    const split = await ours<SplitResult>({ mode: 'split', host: srv.host, port: srv.port }, true);

    const changeCount = Math.min(CHANGED, Math.floor(tasks / 2));
    const familiesPerSet = Math.ceil(changeCount / FAMILY);
    log(`  incremental: ours (ForceCmd complete on ${n(changeCount)} tasks)`);
    const incremental = await ours<IncrementalResult>(
      {
        mode: 'incremental',
        host: srv.host,
        port: srv.port,
        changeFirstFamily: 0,
        changeCount,
        familySize: FAMILY,
        newsRepeats: 20,
      },
      true,
    );
    log(`  incremental: python (ForceCmd complete on ${n(changeCount)} other tasks)`);
    const pyPaths = taskPaths(familiesPerSet, changeCount, FAMILY);
    const pyInc = await pythonIncremental(
      srv.host,
      srv.port,
      { firstFamily: familiesPerSet, count: changeCount, familySize: FAMILY },
      async () => {
        await client.request({ cmd: 'ForceCmd', paths: pyPaths, stateOrEvent: 'complete' }, { timeoutMs: 600_000 });
      },
    );
    const serverAtEnd = procMem(srv.pid);

    return {
      tasks,
      loadAvgStart,
      loadAvgEnd: load(),
      defsTextBytes,
      generateMs,
      loadMs,
      loadedWith: 'our client (LoadDefsCmd)',
      beginMs,
      serverAfterLoad,
      serverAtEnd,
      ours: oursRuns,
      python: pyRuns,
      pythonSummary,
      split,
      incremental,
      pythonIncremental: pyInc,
      countMismatches,
      median: {
        oursWallMs: median(oursRuns.map((r) => r.connectMs)),
        pyWallMs: median(pyRuns.map((r) => r.syncMs)),
        oursCpuMs: median(oursRuns.map((r) => r.cpuMs)),
        pyCpuMs: median(pyRuns.map((r) => r.cpuMs)),
        oursRssKb: median(oursRuns.map((r) => r.maxRssKb)),
        pyRssKb: median(pyRuns.map((r) => r.rssAfterSyncKb)),
      },
    };
  } finally {
    log(`${n(tasks)} tasks: stopping the server`);
    await srv.stop();
  }
}

// ---------------------------------------------------------------- report

function table(rows: (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) if (r.length > 1) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) => (r.length === 1 ? r[0]! : r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')))
    .join('\n');
}

const incTotal = (r: SizeResult): number => r.incremental.syncExchangeMs + r.incremental.syncDecodeMs + r.incremental.applyMs;

function report(results: SizeResult[]): { text: string; verdicts: string[] } {
  const row = (label: string, f: (r: SizeResult) => string): string[] => [label, ...results.map(f)];
  const sec = (title: string): string[] => [`-- ${title}`];
  const med = (r: SizeResult, f: (o: SessionResult) => number): number => median(r.ours.map(f));
  const rows: (readonly string[])[] = [
    ['', ...results.map((r) => `${n(r.tasks)} tasks`)],
    sec('server: ecflow_server 5.9.2, halted, suites begun'),
    row('load average at start / end', (r) => `${r.loadAvgStart.split(' ')[0]} / ${r.loadAvgEnd.split(' ')[0]}`),
    row('defs text (plain)', (r) => bytes(r.defsTextBytes)),
    row('generateSuiteDefs', (r) => ms(r.generateMs)),
    row('load (our LoadDefsCmd)', (r) => ms(r.loadMs)),
    row('begin', (r) => ms(r.beginMs)),
    row('server RSS after load', (r) => mib(r.serverAfterLoad.rssKb)),
    row('server RSS / peak at end', (r) => `${mib(r.serverAtEnd.rssKb)} / ${mib(r.serverAtEnd.hwmKb)}`),
    sec(`full sync into a model, fresh process each, median of ${repeats}`),
    row('ours: wall (ServerSession.connect)', (r) => ms(r.median.oursWallMs)),
    row('python: wall (sync_local+get_defs)', (r) => ms(r.median.pyWallMs)),
    row('ratio ours/python wall', (r) => ratio(r.median.oursWallMs, r.median.pyWallMs)),
    row('ours: CPU time (user+sys)', (r) => ms(r.median.oursCpuMs)),
    row('python: CPU time (user+sys)', (r) => ms(r.median.pyCpuMs)),
    row('ratio ours/python CPU', (r) => ratio(r.median.oursCpuMs, r.median.pyCpuMs)),
    row('ours: peak RSS (maxRSS)', (r) => mib(r.median.oursRssKb)),
    row('python: peak RSS after sync', (r) => mib(r.median.pyRssKb)),
    row('ratio ours/python RSS', (r) => ratio(r.median.oursRssKb, r.median.pyRssKb)),
    row('ours / python: RSS before sync', (r) => `${mib(med(r, (o) => o.rssBeforeKb))} / ${mib(median(r.python.map((p) => p.rssBeforeKb)))}`),
    row('ours: heapUsed after connect / gc', (r) => `${bytes(med(r, (o) => o.heapUsed))} / ${bytes(med(r, (o) => o.heapAfterGc ?? NaN))}`),
    row('ours: all runs wall, ms', (r) => r.ours.map((o) => Math.round(o.connectMs)).join(' ')),
    row('python: all runs wall, ms', (r) => r.python.map((o) => Math.round(o.syncMs)).join(' ')),
    row('node counts ours vs python', (r) => (r.countMismatches.length === 0 ? `equal (${n(r.pythonSummary.total)})` : 'MISMATCH')),
    sec('our full sync, split (one more fresh process)'),
    row('SYNC_FULL reply bytes', (r) => bytes(r.split.replyBytes)),
    row('defs text in reply (chars)', (r) => bytes(r.split.textChars)),
    row('connect', (r) => ms(r.split.connectMs)),
    row('server: request -> 1st reply byte', (r) => ms(r.split.firstByteMs)),
    row('transfer + frame + utf8', (r) => ms(r.split.transferMs)),
    row('decodeReply (JSON + cereal)', (r) => ms(r.split.decodeMs)),
    row('  JSON.parse alone', (r) => ms(r.split.jsonParseMs)),
    row('parseDefs (text -> model)', (r) => ms(r.split.parseMs)),
    row('in sessions: version/syncFull/parse', (r) =>
      [med(r, (o) => o.versionMs), med(r, (o) => o.syncFullMs), med(r, (o) => o.parseMs)].map((x) => Math.round(x)).join(' / ') + ' ms',
    ),
    sec('NEWS round trip while in sync (median of 20)'),
    row('ours (client.news)', (r) => ms(r.incremental.newsMs)),
    row('ours: answer in sync / after change', (r) => `${r.incremental.newsAnswer} / ${r.incremental.newsAfter}`),
    row('python (news_local)', (r) => ms(r.pythonIncremental.newsMs)),
    sec('incremental sync after one ForceCmd complete (python: on other tasks)'),
    row('tasks changed', (r) => n(r.incremental.changePaths)),
    row('ForceCmd request (server work)', (r) => ms(r.incremental.changeMs)),
    row('SYNC reply bytes', (r) => bytes(r.incremental.syncReplyBytes)),
    row('compounds / mementos', (r) => `${n(r.incremental.compounds)} / ${n(r.incremental.mementos)}`),
    row('ours (a) SYNC round trip', (r) => ms(r.incremental.syncExchangeMs)),
    row('  server: request -> 1st byte', (r) => ms(r.incremental.syncFirstByteMs)),
    row('  transfer + frame + utf8', (r) => ms(r.incremental.syncTransferMs)),
    row('ours (a) decodeReply', (r) => ms(r.incremental.syncDecodeMs)),
    row('ours (b) applyCompoundMementos', (r) => ms(r.incremental.applyMs)),
    row('ours (a)+(b)', (r) => ms(incTotal(r))),
    row('python: 2nd sync_local (wall)', (r) => ms(r.pythonIncremental.incSyncMs)),
    row('python: 2nd sync_local (CPU)', (r) => ms(r.pythonIncremental.incCpuMs)),
    row('ratio ours (a)+(b) / python', (r) => ratio(incTotal(r), r.pythonIncremental.incSyncMs)),
    row('warm again: decodeReply / apply', (r) => `${ms(r.incremental.syncDecodeWarmMs)} / ${ms(r.incremental.applyWarmMs)}`),
    row('ours: model vs fresh full sync', (r) => (r.incremental.diffVsFullSync.length === 0 ? 'identical' : 'DIFFERENT')),
    row('python: changed tasks complete', (r) => `${n(r.pythonIncremental.completeAfter)}/${n(r.pythonIncremental.checked)}`),
  ];
  const lines = [table(rows)];

  for (const r of results) {
    if (r.countMismatches.length > 0) {
      lines.push('', `!!! MISMATCH of node counts at ${n(r.tasks)} tasks (ours vs python):`, ...r.countMismatches.map((d) => `!!!   ${d}`));
    }
    const inc = r.incremental;
    if (inc.diffVsFullSync.length > 0) {
      lines.push('', `!!! incremental model DIFFERS from a fresh full sync at ${n(r.tasks)} tasks:`, ...inc.diffVsFullSync.map((d) => `!!!   ${d}`));
    }
    if (inc.applyWarningCount > 0) lines.push(`note: applyCompoundMementos warned ${inc.applyWarningCount}x, e.g. ${inc.applyWarnings[0]}`);
    const w = r.ours.reduce((a, o) => a + o.warningCount, 0);
    if (w > 0) lines.push(`note: parseDefs warned ${w}x, e.g. ${r.ours.find((o) => o.warningCount > 0)?.warnings[0]}`);
    const pi = r.pythonIncremental;
    if (pi.completeAfter !== pi.checked) {
      lines.push(`!!! python's copy after its incremental sync: only ${pi.completeAfter}/${pi.checked} changed tasks complete`);
    }
  }

  const goal = results.find((r) => r.tasks === GOAL_SIZE) ?? results[results.length - 1]!;
  const tag = goal.tasks === GOAL_SIZE ? '1M' : `${n(goal.tasks)}, goals are for 1M`;
  const wall = goal.median.oursWallMs / goal.median.pyWallMs;
  const rss = goal.median.oursRssKb / goal.median.pyRssKb;
  const apply = goal.incremental.applyMs;
  const verdicts = [
    `${wall <= GOAL_WALL ? 'PASS' : 'FAIL'}  full sync wall (${tag}): ours ${ms(goal.median.oursWallMs)} vs python ${ms(goal.median.pyWallMs)} = ${wall.toFixed(2)}x (goal <= ${GOAL_WALL.toFixed(1)}x)`,
    `${rss <= GOAL_RSS ? 'PASS' : 'FAIL'}  full sync peak RSS (${tag}): ours ${mib(goal.median.oursRssKb)} vs python ${mib(goal.median.pyRssKb)} = ${rss.toFixed(2)}x (goal <= ${GOAL_RSS.toFixed(1)}x)`,
    `${apply <= GOAL_APPLY_MS ? 'PASS' : 'FAIL'}  incremental apply (${tag}): applyCompoundMementos of ${n(goal.incremental.compounds)} compounds / ${n(goal.incremental.mementos)} mementos in ${ms(apply)} (goal <= ${GOAL_APPLY_MS} ms)`,
    `${results.every((r) => r.countMismatches.length === 0) ? 'OK  ' : 'MISMATCH'}  node counts by kind and state equal to python's at every size`,
    `${results.every((r) => r.incremental.diffVsFullSync.length === 0) ? 'OK  ' : 'DIFFERENT'}  incrementally synced model equals a fresh full sync at every size`,
  ];
  return { text: lines.join('\n'), verdicts };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  if (sizes.length === 0) throw new Error('BENCH_SIZES: no valid size');
  const t0 = performance.now();
  const results: SizeResult[] = [];
  for (const size of sizes) results.push(await benchSize(size));
  const { text, verdicts } = report(results);
  // Routes to the centre (issue 3): in the namespace lab; BENCH_ROUTES=0 skips.
  const routes = process.env['BENCH_ROUTES'] === '0' ? { text: 'routes: skipped (BENCH_ROUTES=0)' } : await benchRoutes();
  // The browser UI over the real chain (issue 4 item 10); BENCH_UI=0 skips. A failure is reported,
  // not thrown: the figures above are still written.
  let ui: UiBenchResult;
  if (process.env['BENCH_UI'] === '0') ui = { skipped: 'BENCH_UI=0', verdicts: [], text: 'ui: skipped (BENCH_UI=0)' };
  else {
    try {
      ui = await benchUi();
    } catch (e) {
      const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      ui = { error, verdicts: ['FAIL  ui: the benchmark failed'], text: `ui: FAILED: ${error}` };
      process.exitCode = 1;
    }
  }
  const totalMs = performance.now() - t0;
  const dir = join(tmpdir(), 'ecflow-remote-bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'latest.json');
  const doc = {
    date: new Date().toISOString(),
    node: process.version,
    server: 'ecflow_server 5.9.2 (Debian)',
    sizes,
    repeats,
    totalMs,
    goals: { wallRatio: GOAL_WALL, rssRatio: GOAL_RSS, applyMs: GOAL_APPLY_MS, size: GOAL_SIZE },
    verdicts,
    results,
    routes,
    ui,
  };
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  const out = process.stdout;
  out.write(`\necflow-remote bench vs python3-ecflow (node ${process.version}, ecflow_server 5.9.2, ${(totalMs / 1000).toFixed(0)} s)\n\n`);
  out.write(`${text}\n\n${verdicts.join('\n')}\n\n${routes.text}\n\n${ui.text}\n\nresults: ${file}\n`);
  if (cpuProfDir !== undefined) out.write(`cpu profiles: ${cpuProfDir}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
