/**
 * The local web UI server (issue 4 §1): HTTP for the web build and one WebSocket (`/ws`) per
 * browser tab, on 127.0.0.1 only, behind the gate of http-security.ts. `ecflow-remote ui`, `up`
 * and `demo` start it with `startUiServer` and print/open the URL it returns.
 *
 * @example
 * const ui = await startUiServer({ config: await loadConfig() });
 * console.log(`ecflow-remote UI: ${ui.url}`);      // the only place the token is shown
 * process.on('SIGINT', () => void ui.close());
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { EcflowError, ErrorCode } from '../errors.js';
import type { LoadedConfig } from '../config/config.js';
import { Centre } from '../client/centre.js';
import type { EcflowClientOptions } from '../client/ecflow-client.js';
import { checkToken, hostAllowed, newToken, originAllowed, securityHeaders, tokenCookie } from './http-security.js';
import type { PollTuning } from './live-server.js';
import { defaultWebRoot, plain, serveStatic } from './static-files.js';
import { UiConnection } from './ui-connection.js';
import { UiHub } from './ui-hub.js';

export interface UiServerOptions {
  readonly config: LoadedConfig;
  /**
   * The Centre to reach servers through (`up` passes its own, so the UI uses its routes). Default:
   * one opened here (attached to a running `up` when there is one), stopped by `close()`.
   */
  readonly centre?: Centre;
  /** TCP port on 127.0.0.1; default the config's `[ui] port`, else a free port. */
  readonly port?: number;
  /** The web build to serve (default dist/web). */
  readonly webRoot?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Polling tuning (tests make it faster). */
  readonly poll?: Partial<PollTuning>;
  readonly clientOptions?: Partial<EcflowClientOptions>;
  /** Messages for the user (stderr); the token never appears in them. */
  readonly log?: (line: string) => void;
  /** Refuse every changing request (actions, server edits); `welcome.readOnlyUi` tells the browser. */
  readonly readOnly?: boolean;
  /** permessage-deflate on the WebSocket (default false: on localhost it costs more than it saves). */
  readonly compress?: boolean;
}

export interface UiServerHandle {
  /** `http://127.0.0.1:<port>/?token=…`: print it and open it; it is the key to the UI. */
  readonly url: string;
  /** `http://127.0.0.1:<port>` (no token): safe to log or write to a status file. */
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  readonly hub: UiHub;
  /** Stop serving, close every socket, stop the sessions (and the Centre if it is ours). */
  close(): Promise<void>;
}

/** Start the UI server. Rejects (CONNECT) when the port cannot be bound. */
export async function startUiServer(options: UiServerOptions): Promise<UiServerHandle> {
  const log = options.log ?? (() => undefined);
  const ownCentre = options.centre === undefined;
  const centre =
    options.centre ??
    Centre.open({
      config: options.config,
      ...(options.env === undefined ? {} : { env: options.env }),
      onWarning: (m) => log(`warning: ${m}`),
    });
  const token = newToken();
  const webRoot = options.webRoot ?? defaultWebRoot();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: options.compress === true, maxPayload: 8 * 1024 * 1024 });
  const server = createServer();
  let port = 0;

  const hub = new UiHub({
    config: options.config,
    centre,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.poll === undefined ? {} : { poll: options.poll }),
    ...(options.clientOptions === undefined ? {} : { clientOptions: options.clientOptions }),
    log,
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void handleHttp(req, res).catch(() => {
      if (!res.headersSent) plain(res, 500, 'internal error', securityHeaders(port));
      else res.destroy();
    });
  });

  const handleHttp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const headers = securityHeaders(port);
    if (!hostAllowed(req, port)) return plain(res, 403, 'forbidden: unexpected Host (use the address ecflow-remote printed)', headers);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return plain(res, 405, 'method not allowed', headers);
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const check = checkToken(req, url, port, token);
    if (!check.ok) {
      return plain(res, check.given ? 403 : 401, 'ecflow-remote: open the address that `ecflow-remote ui` printed (it carries the access token)', headers);
    }
    if (check.via === 'query') {
      // Swap the token for the cookie and take it out of the address bar (the #fragment stays).
      url.searchParams.delete('token');
      res.writeHead(303, { ...headers, 'Set-Cookie': tokenCookie(port, token), Location: url.pathname + url.search, 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    if (url.pathname === '/ws') return plain(res, 426, 'upgrade required', headers);
    await serveStatic(webRoot, url.pathname, req.method === 'HEAD', res, headers);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const refuse = (status: number, text: string, why: string): void => {
      log(`refused a WebSocket: ${why}`);
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (url.pathname !== '/ws') return refuse(404, 'Not Found', `unknown path`);
    if (!hostAllowed(req, port)) return refuse(403, 'Forbidden', `Host '${String(req.headers.host)}'`);
    if (!originAllowed(req, port)) return refuse(403, 'Forbidden', `Origin '${String(req.headers.origin)}'`);
    const check = checkToken(req, url, port, token);
    if (!check.ok) return refuse(403, 'Forbidden', check.given ? 'wrong token' : 'no token');
    wss.handleUpgrade(req, socket, head, (ws) => {
      new UiConnection(ws, hub, { readOnlyUi: options.readOnly === true });
    });
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    socket.destroy();
  });

  const wanted = options.port ?? options.config.ui.port ?? 0;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: wanted, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    if (ownCentre) await centre.stop();
    const code = (e as { code?: string }).code;
    throw new EcflowError(
      ErrorCode.CONNECT,
      code === 'EADDRINUSE' ? `cannot serve the UI on 127.0.0.1:${wanted}: the port is in use (choose another with --port, or [ui] port)` : `cannot serve the UI on 127.0.0.1:${wanted}: ${String((e as Error).message)}`,
      { cause: e },
    );
  }
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : wanted;
  hub.start();
  const origin = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    hub,
    close: () =>
      (closing ??= (async () => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await hub.stop();
        if (ownCentre) await centre.stop();
      })()),
  };
}
