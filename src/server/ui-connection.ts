/**
 * One browser's WebSocket: `welcome` on open, then ClientMessages in, ServerMessages out
 * (ui-protocol.ts). Every request gets exactly one `response` with its id; failures carry a UiError
 * (the ecFlow server's text verbatim in `serverMessage`). Nothing a browser sends is logged (a
 * server-save may carry a password).
 */

import type { RawData, WebSocket } from 'ws';
import { toUiError, UiRefusal } from './ui-errors.js';
import type { HubConnection, UiHub } from './ui-hub.js';
import { UI_PROTOCOL_VERSION, UiErrorCode, type ClientMessage, type ServerMessage } from './ui-protocol.js';

/** Unsent bytes above which a socket counts as congested (deltas are skipped for a later snapshot). */
export const CONGESTED_BYTES = 64 * 1024 * 1024;

export class UiConnection implements HubConnection {
  readonly subscriptions = new Set<string>();
  private readonly ws: WebSocket;
  private readonly hub: UiHub;
  private readonly readOnlyUi: boolean;

  constructor(ws: WebSocket, hub: UiHub, options: { readOnlyUi?: boolean } = {}) {
    this.ws = ws;
    this.hub = hub;
    this.readOnlyUi = options.readOnlyUi === true;
    hub.attach(this);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => hub.detach(this));
    ws.on('error', () => hub.detach(this));
    this.sendMessage({
      type: 'welcome',
      version: UI_PROTOCOL_VERSION,
      servers: hub.servers(),
      ...(this.readOnlyUi ? { readOnlyUi: true } : {}),
    });
  }

  send(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  get congested(): boolean {
    return this.ws.bufferedAmount > CONGESTED_BYTES;
  }

  private sendMessage(message: ServerMessage): void {
    this.send(JSON.stringify(message));
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.ws.close(1003, 'text frames only');
      return;
    }
    let message: ClientMessage;
    try {
      message = JSON.parse(data.toString()) as ClientMessage;
    } catch {
      this.ws.close(1007, 'not JSON');
      return;
    }
    if (typeof message !== 'object' || message === null) {
      this.ws.close(1007, 'not a message');
      return;
    }
    try {
      switch (message.type) {
        case 'hello':
          if (message.version !== UI_PROTOCOL_VERSION) this.ws.close(1002, `protocol version ${UI_PROTOCOL_VERSION} expected`);
          return;
        case 'subscribe':
          this.hub.subscribe(this, message.server);
          return;
        case 'unsubscribe':
          this.hub.unsubscribe(this, message.server);
          return;
        case 'resync':
          this.hub.resync(this, message.server);
          return;
        case 'request':
          void this.answer(message.id, message.request);
          return;
        default:
          this.ws.close(1008, 'unknown message type');
      }
    } catch (e) {
      // subscribe/resync to an unknown server: say so through the server's health
      const error = toUiError(e);
      const server = 'server' in message && typeof message.server === 'string' ? message.server : '';
      this.sendMessage({ type: 'health', server, health: { state: 'error', message: error.message } });
    }
  }

  private async answer(id: number, request: Extract<ClientMessage, { type: 'request' }>['request']): Promise<void> {
    if (typeof id !== 'number') {
      this.ws.close(1008, 'a request needs a numeric id');
      return;
    }
    let response: ServerMessage;
    try {
      if (this.readOnlyUi && isWrite(request)) throw new UiRefusal(UiErrorCode.READ_ONLY, 'this UI was started read-only');
      const data = await this.hub.request(request);
      response = { type: 'response', id, ok: true, data };
    } catch (e) {
      response = { type: 'response', id, ok: false, error: toUiError(e) };
    }
    this.sendMessage(response);
  }
}

function isWrite(request: { what: string }): boolean {
  return ['action', 'server-save', 'server-remove', 'servers-import'].includes(request.what);
}
