/**
 * The main thread's side of the sync worker: starts it, hands it the socket URL, sends client
 * messages, matches request ids to responses and turns worker posts into callbacks.
 *
 * The token comes from the first URL (`?token=`); it is kept in sessionStorage (a reload of the tab
 * still has it) and removed from the address bar so that copied deep links never carry it.
 */

import type { ClientMessage, ServerMessage, UiRequest } from '../../src/server/ui-protocol.js';
import { UiRequestError } from './app-api.js';
import type { SearchQuery } from './search/search-query.js';
import type { FromWorker, ToWorker } from './worker/worker-messages.js';

const TOKEN_KEY = 'ecflow-remote.token';

/** Read `?token=` from the page URL (then hide it), or the one this tab had before. */
export function takeToken(loc: Location = location, storage: Storage = sessionStorage): string | undefined {
  const params = new URLSearchParams(loc.search);
  const fromUrl = params.get('token');
  if (fromUrl !== null && fromUrl !== '') {
    try {
      storage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      /* private mode: keep it in the URL then */
      return fromUrl;
    }
    params.delete('token');
    const q = params.toString();
    history.replaceState(history.state, '', loc.pathname + (q === '' ? '' : '?' + q) + loc.hash);
    return fromUrl;
  }
  try {
    return storage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** ws(s)://<host>/ws, with `?token=` when the page had one (else the server's cookie does). */
export function socketUrl(token: string | undefined, loc: Location = location): string {
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${loc.host}/ws` + (token !== undefined ? `?token=${encodeURIComponent(token)}` : '');
}

export interface ConnectionHandlers {
  onWorker(msg: FromWorker): void;
  onMessage(msg: ServerMessage): void;
}

export class Connection {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private open = false;

  constructor(private readonly handlers: ConnectionHandlers) {
    this.worker = new Worker(new URL('./worker/sync-worker.ts', import.meta.url), { type: 'module', name: 'ecflow-sync' });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.onWorker(e.data);
  }

  connect(url: string): void {
    this.post({ t: 'connect', url });
  }
  reconnectNow(): void {
    this.post({ t: 'reconnect-now' });
  }
  send(msg: ClientMessage): void {
    this.post({ t: 'send', msg });
  }
  search(id: number, query: SearchQuery): void {
    this.post({ t: 'search', id, query });
  }
  cancelSearch(id: number): void {
    this.post({ t: 'search-cancel', id });
  }
  get isOpen(): boolean {
    return this.open;
  }

  /** One request/response round trip. */
  request(req: UiRequest): Promise<unknown> {
    if (!this.open) {
      return Promise.reject(new UiRequestError({ code: 'UI_DISCONNECTED', message: 'Not connected to the local ecflow-remote server' }));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'request', id, request: req });
    });
  }

  private post(m: ToWorker): void {
    this.worker.postMessage(m);
  }

  private onWorker(m: FromWorker): void {
    if (m.t === 'socket') {
      const wasOpen = this.open;
      this.open = m.state === 'open';
      if (wasOpen && !this.open) {
        const err = new UiRequestError({ code: 'UI_DISCONNECTED', message: 'The connection to the local ecflow-remote server was lost' });
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      }
    }
    if (m.t === 'message') {
      const msg = m.msg;
      if (msg.type === 'response') {
        const p = this.pending.get(msg.id);
        if (p !== undefined) {
          this.pending.delete(msg.id);
          if (msg.ok) p.resolve(msg.data);
          else p.reject(new UiRequestError(msg.error));
        }
        return;
      }
      this.handlers.onMessage(msg);
      return;
    }
    this.handlers.onWorker(m);
  }
}
