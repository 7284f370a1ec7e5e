/**
 * A tiny UI server for the browser tree tests (test/ui-tree*.test.ts): serves dist/web and speaks
 * src/server/ui-protocol.ts on `/ws` — welcome, snapshots, sequenced deltas the test pushes,
 * resync, `attributes` and `info` answers — over node tables built by src/server/node-table.ts
 * from generateSuiteDefs/parseDefs. Real HTTP and WebSocket bytes, a controllable model: the test
 * decides when a delta comes, and can skip a seq on purpose.
 *
 * Also the Playwright launch options (Debian's Chromium) and small page helpers.
 *
 * @example
 * const ui = await startTestUi([{ name: 'alpha', defs: parseDefs(text).defs }]);
 * await page.goto(ui.url);
 * ui.delta('alpha', [[ui.index('alpha', '/s0/f0/t1'), NState.ABORTED]]);
 * await ui.close();
 */

import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Defs } from '../src/model/defs.js';
import { flagNames, NSTATE_NAMES } from '../src/model/types.js';
import { buildNodeTable, serverInfo, snapshotColumns, type NodeTable } from '../src/server/node-table.js';
import { nodeAttributes } from '../src/server/ui-attributes.js';
import type { ClientMessage, ServerHealth, ServerMessage, UiRequest, UiServer } from '../src/server/ui-protocol.js';

/** dist/web next to dist/test (this file compiles to dist/test/ui-tree-harness.js). */
export const WEB_ROOT = fileURLToPath(new URL('../web/', import.meta.url));

export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

export interface TestServerSpec {
  readonly name: string;
  readonly defs: Defs;
  readonly health?: ServerHealth;
}

interface ServerState {
  spec: TestServerSpec;
  ui: UiServer;
  table: NodeTable;
  epoch: number;
  seq: number;
  /** Snapshot text cache (a 1M-node snapshot is stringified once per epoch/seq). */
  cache: { seq: number; text: string } | undefined;
}

export interface TestUi {
  /** http://127.0.0.1:<port>/?token=… */
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  /** Every client message received, in order. */
  readonly received: ClientMessage[];
  /** Number of open sockets. */
  readonly sockets: number;
  index(server: string, path: string): number;
  /**
   * Push a delta: [index, nstate, flags?, suspended?] per node. `skip` makes a seq gap (the seq
   * jumps by 1 + skip: the browser must ask for a resync).
   */
  delta(server: string, nodes: ReadonlyArray<readonly [number, number, number?, boolean?]>, options?: { skip?: number; attributes?: number[] }): void;
  health(server: string, health: ServerHealth): void;
  /** Build (and cache) a server's snapshot text now; returns its length. */
  warm(server: string): number;
  /** Drop every socket (the browser must reconnect). */
  dropSockets(): void;
  /** Replace a server's tree: a new epoch, sent to subscribers. */
  replaceDefs(server: string, defs: Defs): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

function serveStatic(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  let rel = normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
  if (rel === '' || extname(rel) === '') rel = 'index.html';
  const file = resolve(WEB_ROOT, rel);
  if (!file.startsWith(resolve(WEB_ROOT)) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404).end('not found');
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
  createReadStream(file).pipe(res);
}

function uiServer(spec: TestServerSpec, port: number): UiServer {
  return {
    name: spec.name,
    host: `${spec.name}.example`,
    port,
    ssl: false,
    favourite: false,
    readOnly: false,
    hasPassword: false,
    health: spec.health ?? { state: 'connected', lastSync: new Date().toISOString(), pollMs: 60_000 },
  };
}

export async function startTestUi(specs: readonly TestServerSpec[]): Promise<TestUi> {
  const token = 'test-token-' + Math.random().toString(36).slice(2);
  const servers = new Map<string, ServerState>();
  specs.forEach((spec, k) => {
    servers.set(spec.name, { spec, ui: uiServer(spec, 3141 + k), table: buildNodeTable(spec.defs, 1), epoch: 1, seq: 0, cache: undefined });
  });
  const received: ClientMessage[] = [];
  const subs = new Map<WebSocket, Set<string>>();

  const http = createServer(serveStatic);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/ws' || url.searchParams.get('token') !== token) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws));
  });

  const send = (ws: WebSocket, m: ServerMessage | string): void => {
    if (ws.readyState === ws.OPEN) ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  };

  const snapshotText = (s: ServerState): string => {
    if (s.cache?.seq === s.seq) return s.cache.text;
    const msg: ServerMessage = {
      type: 'snapshot',
      server: s.spec.name,
      epoch: s.epoch,
      seq: s.seq,
      info: serverInfo(s.spec.defs, '5.9.2'),
      columns: snapshotColumns(s.table),
    };
    const text = JSON.stringify(msg);
    s.cache = { seq: s.seq, text };
    return text;
  };

  const answer = (r: UiRequest): unknown => {
    if (r.what === 'attributes') {
      const s = servers.get(r.server);
      if (s === undefined) throw { code: 'UNKNOWN_SERVER', message: `no server ${r.server}` };
      if (r.epoch !== s.epoch) throw { code: 'STALE_EPOCH', message: 'resync first' };
      return {
        epoch: s.epoch,
        nodes: r.nodes.filter((i) => i >= 0 && i < s.table.size).map((i) => ({ index: i, attributes: nodeAttributes(s.spec.defs, s.table.nodes[i]!) })),
      };
    }
    if (r.what === 'info') {
      const s = servers.get(r.server);
      if (s === undefined) throw { code: 'UNKNOWN_SERVER', message: `no server ${r.server}` };
      if (r.path === '/' || r.path === '') {
        return { server: r.server, path: '/', kind: 'server', name: r.server, state: 'RUNNING', suspended: false, flags: [], children: s.spec.defs.suites.length, version: '5.9.2', address: `${s.ui.host}:${s.ui.port}` };
      }
      const node = s.spec.defs.findNode(r.path);
      if (node === undefined) throw { code: 'UNKNOWN_NODE', message: `no node ${r.path}` };
      const i = s.table.index.get(node)!;
      return {
        server: r.server,
        path: r.path,
        kind: node.kind,
        name: node.name,
        state: NSTATE_NAMES[s.table.stateCodes[i]! - 48 & 7],
        suspended: (s.table.stateCodes[i]! - 48 & 8) !== 0,
        flags: flagNames(s.table.flags[i]!),
        children: node.nodes.length,
      };
    }
    throw { code: 'BAD_REQUEST', message: `'${r.what}' is not served by the test server` };
  };

  const onSocket = (ws: WebSocket): void => {
    subs.set(ws, new Set());
    send(ws, { type: 'welcome', version: 1, servers: [...servers.values()].map((s) => s.ui) });
    ws.on('close', () => subs.delete(ws));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as ClientMessage;
      received.push(m);
      const s = 'server' in m ? servers.get(m.server) : undefined;
      switch (m.type) {
        case 'subscribe':
          if (s === undefined) return;
          subs.get(ws)?.add(m.server);
          send(ws, snapshotText(s));
          return;
        case 'unsubscribe':
          subs.get(ws)?.delete(m.server);
          return;
        case 'resync':
          if (s !== undefined) send(ws, snapshotText(s));
          return;
        case 'request': {
          try {
            send(ws, { type: 'response', id: m.id, ok: true, data: answer(m.request) });
          } catch (e) {
            const err = e as { code: string; message: string };
            send(ws, { type: 'response', id: m.id, ok: false, error: { code: err.code, message: err.message } });
          }
          return;
        }
        default:
      }
    });
  };

  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const port = (http.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  const each = (server: string, f: (ws: WebSocket) => void): void => {
    for (const [ws, set] of subs) if (set.has(server)) f(ws);
  };
  const get = (name: string): ServerState => {
    const s = servers.get(name);
    if (s === undefined) throw new Error(`no server ${name}`);
    return s;
  };

  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    received,
    get sockets() {
      return subs.size;
    },
    index(server, path) {
      const s = get(server);
      const node = s.spec.defs.findNode(path);
      const i = node === undefined ? undefined : s.table.index.get(node);
      if (i === undefined) throw new Error(`no node ${path} on ${server}`);
      return i;
    },
    delta(server, nodes, options = {}) {
      const s = get(server);
      const triples: number[] = [];
      for (const [i, nstate, flags, suspended] of nodes) {
        const code = 48 + (nstate | (suspended === true ? 8 : 0));
        s.table.stateCodes[i] = code;
        if (flags !== undefined) s.table.flags[i] = flags;
        triples.push(i, code, s.table.flags[i]!);
      }
      s.seq += 1 + (options.skip ?? 0);
      s.cache = undefined;
      const msg: ServerMessage = { type: 'delta', server, epoch: s.epoch, seq: s.seq, nodes: triples, attributes: options.attributes ?? [] };
      each(server, (ws) => send(ws, msg));
    },
    health(server, health) {
      const s = get(server);
      s.ui = { ...s.ui, health };
      each(server, (ws) => send(ws, { type: 'health', server, health }));
    },
    warm(server) {
      return snapshotText(get(server)).length;
    },
    dropSockets() {
      for (const ws of subs.keys()) ws.terminate();
    },
    replaceDefs(server, defs) {
      const s = get(server);
      s.spec = { ...s.spec, defs };
      s.epoch++;
      s.table = buildNodeTable(defs, s.epoch);
      s.cache = undefined;
      each(server, (ws) => send(ws, snapshotText(s)));
    },
    async close() {
      for (const ws of subs.keys()) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

/** Join for test output paths (docs/screenshots from the repository root). */
export function repoPath(...parts: string[]): string {
  return join(fileURLToPath(new URL('../../', import.meta.url)), ...parts);
}

/**
 * A screenshot for docs/screenshots, written when missing or with UPDATE_SCREENSHOTS=1 (so a test
 * run leaves the committed pictures alone).
 */
export async function shotOnce(page: { screenshot(o: { path: string }): Promise<unknown> }, path: string): Promise<void> {
  if (existsSync(path) && process.env['UPDATE_SCREENSHOTS'] !== '1') return;
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path });
}
