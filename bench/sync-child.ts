/**
 * One measurement of OUR client in a fresh process (so that peak RSS is its own), started by
 * bench/run.ts:  node dist/bench/sync-child.js '<json params>'.  Prints ONE JSON line on stdout.
 *
 * Modes:
 *  - session:     EcflowClient + ServerSession.connect() (ServerVersionCmd + SYNC_FULL + parseDefs),
 *                 wall time, maxRSS, heapUsed; then treeSummary of the model.
 *  - split:       the same full sync in its parts (bench/raw.ts): connect, server (to the first reply
 *                 byte), transfer, decodeReply, JSON.parse alone, parseDefs; reply bytes.
 *  - incremental: connect, NEWS round trips while in sync, one ForceCmd complete on `changeCount` tasks,
 *                 then the SYNC round trip + decode and applyCompoundMementos timed apart (first, then
 *                 again JIT-warm); finally the model is compared with a fresh full sync (compareDefs).
 */
import { EcflowClient } from '../src/client/ecflow-client.js';
import { ServerSession } from '../src/client/server-session.js';
import { News, SyncApi } from '../src/protocol/commands.js';
import { enumName } from '../src/protocol/commands-enums.js';
import { decodeReply, type SSyncCmdReply } from '../src/protocol/replies.js';
import { parseDefs } from '../src/protocol/defs-parser.js';
import { applyCompoundMementos } from '../src/model/apply-sync.js';
import { compareDefs } from '../src/model/compare.js';
import { treeSummary } from '../src/model/summary.js';
import { taskPaths } from './layout.js';
import { rawRequest } from './raw.js';

export interface ChildParams {
  mode: 'session' | 'split' | 'incremental';
  host: string;
  port: number;
  /** incremental: force complete `changeCount` tasks from family `changeFirstFamily` on (one ForceCmd). */
  changeFirstFamily?: number;
  changeCount?: number;
  familySize?: number;
  /** incremental: NEWS round trips to time while in sync. */
  newsRepeats?: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function rssKb(): number {
  return process.resourceUsage().maxRSS;
}

async function session(p: ChildParams): Promise<unknown> {
  const client = new EcflowClient({ host: p.host, port: p.port });
  // Time the two requests of connect() apart; what remains is parseDefs (+ bookkeeping).
  let versionMs = 0;
  let syncFullMs = 0;
  const origVersion = client.serverVersion.bind(client);
  const origSyncFull = client.syncFull.bind(client);
  client.serverVersion = async (o) => {
    const t = performance.now();
    try {
      return await origVersion(o);
    } finally {
      versionMs = performance.now() - t;
    }
  };
  client.syncFull = async (o) => {
    const t = performance.now();
    try {
      return await origSyncFull(o);
    } finally {
      syncFullMs = performance.now() - t;
    }
  };
  const warnings: string[] = [];
  const s = new ServerSession(client, { onWarning: (w) => warnings.push(w) });
  const rss0 = rssKb();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const change = await s.connect({ timeoutMs: 600_000 });
  const connectMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const maxRssKb = rssKb();
  const heapUsed = process.memoryUsage().heapUsed;
  let heapAfterGc: number | undefined;
  if (gc !== undefined) {
    gc();
    heapAfterGc = process.memoryUsage().heapUsed;
  }
  const t1 = performance.now();
  const summary = treeSummary(s.defs!);
  const summaryMs = performance.now() - t1;
  return {
    connectMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    versionMs,
    syncFullMs,
    parseMs: connectMs - versionMs - syncFullMs,
    textChars: change.kind === 'full' ? change.bytes : 0,
    rssBeforeKb: rss0,
    maxRssKb,
    heapUsed,
    heapAfterGc,
    summaryMs,
    summary,
    warnings: warnings.slice(0, 5),
    warningCount: warnings.length,
  };
}

async function split(p: ChildParams): Promise<unknown> {
  const client = new EcflowClient({ host: p.host, port: p.port });
  const version = await rawRequest(client, { cmd: 'ServerVersionCmd' });
  const full = await rawRequest(client, { cmd: 'CSyncCmd', api: SyncApi.SYNC_FULL, clientHandle: 0 });
  if (full.reply.reply !== 'SSyncCmd') throw new Error(`SYNC_FULL: got ${full.reply.reply}`);
  const text = full.reply.fullDefs ? full.reply.defs : full.reply.serverDefs;
  const t0 = performance.now();
  const r = parseDefs(text);
  const parseMs = performance.now() - t0;
  const maxRssKb = rssKb();
  // JSON.parse alone, on the same payload (after the rest: the payload is already flat).
  const t1 = performance.now();
  JSON.parse(full.payload);
  const jsonParseMs = performance.now() - t1;
  return {
    versionMs: version.exchangeMs + version.decodeMs,
    exchangeMs: full.exchangeMs,
    connectMs: full.connectMs,
    firstByteMs: full.firstByteMs,
    transferMs: full.transferMs,
    decodeMs: full.decodeMs,
    jsonParseMs,
    parseMs,
    replyBytes: full.replyBytes,
    textChars: text.length,
    maxRssKb,
    nodes: treeSummary(r.defs).total,
    warningCount: r.warnings.length,
  };
}

async function incremental(p: ChildParams): Promise<unknown> {
  const client = new EcflowClient({ host: p.host, port: p.port });
  const warnings: string[] = [];
  const s = new ServerSession(client, { onWarning: (w) => warnings.push(w) });
  const t0 = performance.now();
  await s.connect({ timeoutMs: 600_000 });
  const connectMs = performance.now() - t0;
  const defs = s.defs!;
  const numbers = () => ({ clientHandle: 0, stateChangeNo: defs.stateChange, modifyChangeNo: defs.modifyChange });

  // NEWS while in sync (answer: NO_NEWS).
  const newsMs: number[] = [];
  let newsAnswer: number | undefined;
  for (let i = 0; i < (p.newsRepeats ?? 20); i++) {
    const t = performance.now();
    newsAnswer = await client.news(numbers());
    newsMs.push(performance.now() - t);
  }

  // The change: one ForceCmd with all the paths.
  const paths = taskPaths(p.changeFirstFamily ?? 0, p.changeCount ?? 0, p.familySize ?? 100);
  const tc = performance.now();
  await client.request({ cmd: 'ForceCmd', paths, stateOrEvent: 'complete' }, { timeoutMs: 600_000 });
  const changeMs = performance.now() - tc;

  const tn = performance.now();
  const newsAfter = await client.news(numbers());
  const newsAfterMs = performance.now() - tn;

  // (a) SYNC round trip + decode.
  const sync = await rawRequest(client, { cmd: 'CSyncCmd', api: SyncApi.SYNC, ...numbers() });
  if (sync.reply.reply !== 'SSyncCmd') throw new Error(`SYNC: got ${sync.reply.reply}`);
  const reply: SSyncCmdReply = sync.reply;
  if (reply.fullDefs || reply.serverDefs !== '') throw new Error('SYNC: the server sent the whole defs, not mementos');
  let mementos = 0;
  const types: Record<string, number> = {};
  for (const c of reply.compounds) {
    mementos += c.mementos.length;
    for (const m of c.mementos) types[m.$type] = (types[m.$type] ?? 0) + 1;
  }
  // (b) applyCompoundMementos alone.
  const ta = performance.now();
  const applyWarnings = applyCompoundMementos(defs, reply.compounds, reply.stateChangeNo, reply.modifyChangeNo);
  const applyMs = performance.now() - ta;
  const summary = treeSummary(defs);
  // The same work again, JIT-warm (the state/flag mementos are idempotent): medians of 5.
  const decodeAgain: number[] = [];
  const applyAgain: number[] = [];
  for (let i = 0; i < 5; i++) {
    const td = performance.now();
    const again = decodeReply(sync.payload) as SSyncCmdReply;
    decodeAgain.push(performance.now() - td);
    const tb = performance.now();
    applyCompoundMementos(defs, again.compounds, again.stateChangeNo, again.modifyChangeNo);
    applyAgain.push(performance.now() - tb);
  }

  // Check: the incrementally updated model equals a fresh full sync.
  const full = await client.syncFull({ timeoutMs: 600_000 });
  const fresh = parseDefs(full.fullDefs ? full.defs : full.serverDefs).defs;
  const diff = compareDefs(defs, fresh, { ignoreRuntime: true, ignoreCalendar: true, maxDifferences: 20 });

  return {
    connectMs,
    newsMs: median(newsMs),
    newsAnswer: newsAnswer === undefined ? undefined : enumName(News, newsAnswer),
    changePaths: paths.length,
    changeMs,
    newsAfter: enumName(News, newsAfter),
    newsAfterMs,
    syncExchangeMs: sync.exchangeMs,
    syncFirstByteMs: sync.firstByteMs,
    syncTransferMs: sync.transferMs,
    syncDecodeMs: sync.decodeMs,
    syncDecodeWarmMs: median(decodeAgain),
    applyWarmMs: median(applyAgain),
    syncReplyBytes: sync.replyBytes,
    compounds: reply.compounds.length,
    mementos,
    mementoTypes: types,
    applyMs,
    applyWarnings: applyWarnings.slice(0, 5),
    applyWarningCount: applyWarnings.length,
    summary,
    diffVsFullSync: diff,
    maxRssKb: rssKb(),
  };
}

const params = JSON.parse(process.argv[2] ?? '{}') as ChildParams;
const run = params.mode === 'session' ? session : params.mode === 'split' ? split : incremental;
run(params).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  },
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
