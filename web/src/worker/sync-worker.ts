/**
 * The sync worker: owns the UI WebSocket so that parsing a 20 MB snapshot never blocks the page.
 *
 *  - connects (and reconnects with backoff) to the URL the main thread gives;
 *  - parses every message; `snapshot`s are decoded into typed arrays (snapshot-decode.ts) and
 *    transferred to the main thread, a copy stays here for searches;
 *  - checks each `delta`'s epoch and seq; on a gap or another epoch it sends `resync` itself and
 *    drops deltas until the new snapshot;
 *  - merges deltas per server and posts them at most every 100 ms;
 *  - runs searches in slices of ~10 ms so that a newer search or a cancel gets through.
 *
 * Everything else (welcome, servers, health, responses) is passed on as is.
 */

import type { ClientMessage, ServerInfo, ServerMessage } from '../../../src/server/ui-protocol.js';
import { compileQuery, passesFilters, type CompiledQuery, type SearchHit, type SearchQuery } from '../search/search-query.js';
import { cloneTree, decodeColumns, nodeName, nodePath, treeBuffers, type DecodedTree } from '../tree/snapshot-decode.js';
import { reconnectDelay } from './backoff.js';
import type { FromWorker, ToWorker } from './worker-messages.js';

interface WorkerScope {
  postMessage(msg: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;

function post(msg: FromWorker, transfer?: Transferable[]): void {
  scope.postMessage(msg, transfer);
}

// ---- socket ----

let url: string | undefined;
let socket: WebSocket | undefined;
let attempt = 0;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
const outbox: string[] = [];

function connect(): void {
  if (url === undefined) return;
  clearTimeout(retryTimer);
  retryTimer = undefined;
  post({ t: 'socket', state: 'connecting', attempt });
  let ws: WebSocket;
  try {
    ws = new WebSocket(url);
  } catch (err) {
    scheduleRetry(String(err));
    return;
  }
  socket = ws;
  ws.onopen = () => {
    if (socket !== ws) return;
    post({ t: 'socket', state: 'open', attempt });
    for (const text of outbox.splice(0)) ws.send(text);
  };
  ws.onmessage = (e: MessageEvent) => {
    if (socket !== ws) return;
    if (typeof e.data === 'string') onText(e.data);
  };
  ws.onclose = (e: CloseEvent) => {
    if (socket !== ws) return;
    socket = undefined;
    flushDeltas();
    servers.clear();
    scheduleRetry(e.reason || `closed (${e.code})`);
  };
  ws.onerror = () => {
    /* onclose follows */
  };
}

function scheduleRetry(reason: string): void {
  if (url === undefined) {
    post({ t: 'socket', state: 'closed', attempt, reason });
    return;
  }
  const delay = reconnectDelay(attempt);
  attempt++;
  post({ t: 'socket', state: 'closed', attempt, retryInMs: delay, reason });
  clearTimeout(retryTimer);
  retryTimer = setTimeout(connect, delay);
}

function send(msg: ClientMessage): void {
  const text = JSON.stringify(msg);
  if (socket !== undefined && socket.readyState === WebSocket.OPEN) socket.send(text);
  else if (msg.type !== 'resync') outbox.push(text);
}

// ---- per-server sync state ----

interface ServerSync {
  epoch: number;
  seq: number;
  /** A resync was asked for: drop deltas until the snapshot. */
  awaiting: boolean;
  tree: DecodedTree | undefined;
}
const servers = new Map<string, ServerSync>();

interface PendingDeltas {
  epoch: number;
  seq: number;
  info: ServerInfo | undefined;
  nodes: number[];
  attributes: Set<number>;
  attributeCounts: number[];
  defStatus: number[];
  count: number;
}
const pending = new Map<string, PendingDeltas>();
let flushTimer: ReturnType<typeof setTimeout> | undefined;
let lastFlush = 0;
const DELTA_PERIOD_MS = 100;

function flushDeltas(): void {
  clearTimeout(flushTimer);
  flushTimer = undefined;
  lastFlush = performance.now();
  for (const [server, p] of pending) {
    const msg: FromWorker = {
      t: 'deltas',
      server,
      epoch: p.epoch,
      seq: p.seq,
      nodes: p.nodes,
      attributes: [...p.attributes],
      attributeCounts: p.attributeCounts,
      defStatus: p.defStatus,
      count: p.count,
      ...(p.info !== undefined ? { info: p.info } : {}),
    };
    post(msg);
  }
  pending.clear();
}

function scheduleFlush(): void {
  if (flushTimer !== undefined) return;
  const wait = Math.max(0, lastFlush + DELTA_PERIOD_MS - performance.now());
  flushTimer = setTimeout(flushDeltas, wait);
}

function resync(server: string, sync: ServerSync, reason: string): void {
  sync.awaiting = true;
  pending.delete(server);
  send({ type: 'resync', server });
  post({ t: 'resync', server, reason });
}

function onText(text: string): void {
  const t0 = performance.now();
  let msg: ServerMessage;
  try {
    msg = JSON.parse(text) as ServerMessage;
  } catch {
    return;
  }
  const parseMs = performance.now() - t0;
  switch (msg.type) {
    case 'snapshot': {
      const p = pending.get(msg.server);
      if (p !== undefined) flushDeltas();
      const t1 = performance.now();
      const tree = decodeColumns(msg.columns);
      const decodeMs = performance.now() - t1;
      servers.set(msg.server, { epoch: msg.epoch, seq: msg.seq, awaiting: false, tree });
      const copy = cloneTree(tree);
      post(
        { t: 'snapshot', server: msg.server, epoch: msg.epoch, seq: msg.seq, info: msg.info, tree: copy, chars: text.length, parseMs, decodeMs },
        treeBuffers(copy),
      );
      return;
    }
    case 'delta': {
      let sync = servers.get(msg.server);
      if (sync === undefined) {
        sync = { epoch: -1, seq: -1, awaiting: false, tree: undefined };
        servers.set(msg.server, sync);
        resync(msg.server, sync, 'delta before any snapshot');
        return;
      }
      if (sync.awaiting) return;
      if (msg.epoch === sync.epoch && msg.seq <= sync.seq) return; // a repeat
      if (msg.epoch !== sync.epoch) {
        resync(msg.server, sync, `delta of epoch ${msg.epoch}, have ${sync.epoch}`);
        return;
      }
      if (msg.seq !== sync.seq + 1) {
        resync(msg.server, sync, `seq gap: got ${msg.seq} after ${sync.seq}`);
        return;
      }
      sync.seq = msg.seq;
      applyToCopy(sync.tree, msg.nodes);
      let p = pending.get(msg.server);
      if (p === undefined) {
        p = { epoch: msg.epoch, seq: msg.seq, info: undefined, nodes: [], attributes: new Set(), attributeCounts: [], defStatus: [], count: 0 };
        pending.set(msg.server, p);
      }
      p.seq = msg.seq;
      p.count++;
      if (msg.info !== undefined) p.info = msg.info;
      for (const v of msg.nodes) p.nodes.push(v);
      for (const a of msg.attributes) p.attributes.add(a);
      if (msg.attributeCounts !== undefined) for (const v of msg.attributeCounts) p.attributeCounts.push(v);
      if (msg.defStatus !== undefined) for (const v of msg.defStatus) p.defStatus.push(v);
      scheduleFlush();
      return;
    }
    case 'servers': {
      const names = new Set(msg.servers.map((s) => s.name));
      for (const name of [...servers.keys()]) if (!names.has(name)) servers.delete(name);
      post({ t: 'message', msg });
      return;
    }
    default:
      if (msg.type === 'welcome') attempt = 0;
      post({ t: 'message', msg });
  }
}

function applyToCopy(tree: DecodedTree | undefined, nodes: readonly number[]): void {
  if (tree === undefined) return;
  for (let k = 0; k + 2 < nodes.length; k += 3) {
    const i = nodes[k]!;
    if (i < 0 || i >= tree.n) continue;
    tree.state[i] = (nodes[k + 1]! - 48) & 15;
    tree.flags[i] = nodes[k + 2]! | 0;
  }
}

// ---- search ----

let currentSearch = 0;

/** Yield to the event loop (a MessageChannel round trip: no 4 ms timer clamp). */
function yieldNow(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(0);
  });
}

async function runSearch(id: number, query: SearchQuery): Promise<void> {
  currentSearch = id;
  let q: CompiledQuery;
  try {
    q = compileQuery(query);
  } catch (err) {
    post({ t: 'search-results', id, hits: [], done: true, scanned: 0, total: 0, error: err instanceof Error ? err.message : String(err) });
    return;
  }
  const targets = [...servers].filter(([name, s]) => s.tree !== undefined && (q.servers === undefined || q.servers.has(name)));
  let total = 0;
  for (const [, s] of targets) total += s.tree!.n;
  let scanned = 0;
  let found = 0;
  let batch: SearchHit[] = [];
  let sliceStart = performance.now();
  for (const [name, s] of targets) {
    const t = s.tree!;
    const epoch = s.epoch;
    const pathAt: string[] = [];
    for (let i = 0; i < t.n; i++) {
      if ((i & 4095) === 0 && performance.now() - sliceStart > 10) {
        if (batch.length > 0) {
          post({ t: 'search-results', id, hits: batch, done: false, scanned, total });
          batch = [];
        }
        await yieldNow();
        if (currentSearch !== id) return;
        // The tree may have been replaced by a snapshot while we yielded: search the new one next time.
        if (servers.get(name)?.tree !== t) break;
        sliceStart = performance.now();
      }
      scanned++;
      let path: string | undefined;
      if (q.onPath) {
        const d = t.depth[i]!;
        path = (d === 0 ? '' : pathAt[d - 1]!) + '/' + nodeName(t, i);
        pathAt[d] = path;
      }
      if (!passesFilters(q, t.state[i]!, t.kind[i]!, t.flags[i]!)) continue;
      if (q.test !== undefined && !q.test(path ?? nodeName(t, i))) continue;
      batch.push({ server: name, epoch, node: i, path: path ?? nodePath(t, i) });
      if (++found >= q.limit) {
        post({ t: 'search-results', id, hits: batch, done: true, scanned, total, truncated: true });
        return;
      }
    }
  }
  post({ t: 'search-results', id, hits: batch, done: true, scanned: total, total });
}

// ---- main thread ----

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  switch (m.t) {
    case 'connect':
      url = m.url;
      attempt = 0;
      if (socket !== undefined) {
        const old = socket;
        socket = undefined;
        old.close();
      }
      connect();
      break;
    case 'reconnect-now':
      if (socket === undefined) connect();
      break;
    case 'close':
      url = undefined;
      clearTimeout(retryTimer);
      socket?.close();
      socket = undefined;
      break;
    case 'send':
      if (m.msg.type === 'unsubscribe') servers.delete(m.msg.server);
      send(m.msg);
      break;
    case 'search':
      void runSearch(m.id, m.query);
      break;
    case 'search-cancel':
      if (currentSearch === m.id) currentSearch = 0;
      break;
  }
};
