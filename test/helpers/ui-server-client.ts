/**
 * A test client for the local UI server: raw HTTP requests (any Host header) and a WebSocket that
 * queues every message, with `waitFor(predicate)` and `request(what)` helpers.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import WebSocket from 'ws';
import type { ClientMessage, ServerMessage, UiRequest, UiResponseData } from '../../src/server/ui-protocol.js';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** GET (or another method) to 127.0.0.1:port with exactly these headers (Host defaults to 127.0.0.1:port). */
export function httpGet(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method, headers: { Host: `127.0.0.1:${port}`, ...headers }, setHost: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The outcome of a WebSocket attempt: open, or refused with the HTTP status. */
export async function tryWebSocket(url: string, headers: Record<string, string>): Promise<{ ws: UiSocket } | { status: number }> {
  const ws = new WebSocket(url, { headers, perMessageDeflate: false });
  const socket = new UiSocket(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws: socket }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}

export class UiSocket {
  readonly messages: ServerMessage[] = [];
  /** Text sizes of the frames received, by message type. */
  readonly bytes: number[] = [];
  readonly raw: string[] = [];
  private waiters: Array<() => void> = [];
  private nextId = 1;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.raw.push(text);
      this.bytes.push(text.length);
      this.messages.push(JSON.parse(text) as ServerMessage);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  send(message: ClientMessage): void {
    this.ws.send(JSON.stringify(message));
  }

  /** The first message (from `from` on) that satisfies `test`, waiting up to `timeoutMs`. */
  async waitFor<T extends ServerMessage>(test: (m: ServerMessage) => m is T, timeoutMs?: number, from?: number): Promise<T>;
  async waitFor(test: (m: ServerMessage) => boolean, timeoutMs?: number, from?: number): Promise<ServerMessage>;
  async waitFor(test: (m: ServerMessage) => boolean, timeoutMs = 15_000, from = 0): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (let i = from; ; ) {
      for (; i < this.messages.length; i++) if (test(this.messages[i]!)) return this.messages[i]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms; got: ${this.messages.map((m) => m.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Send a request and wait for its response. */
  async request<W extends UiRequest['what']>(
    request: Extract<UiRequest, { what: W }>,
    timeoutMs = 30_000,
  ): Promise<{ ok: true; data: UiResponseData[W] } | { ok: false; error: { code: string; message: string; serverMessage?: string } }> {
    const id = this.nextId++;
    const from = this.messages.length;
    this.send({ type: 'request', id, request });
    const m = await this.waitFor((x) => x.type === 'response' && x.id === id, timeoutMs, from);
    if (m.type !== 'response') throw new Error('unreachable');
    return m.ok ? { ok: true, data: m.data as UiResponseData[W] } : { ok: false, error: m.error };
  }

  close(): void {
    this.ws.close();
  }
}
