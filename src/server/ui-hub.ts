/**
 * The state of the local UI server: the configuration as edited from the browser, one LiveServer
 * per configured ecFlow server (reached through the Centre's routes), the browser connections,
 * and the requests that are not about one server (servers, server-save/-remove, servers-import,
 * routes). Health changes go to every connection; snapshots and deltas only to subscribers.
 */

import { EcflowError, ErrorCode } from '../errors.js';
import { saveConfig, type LoadedConfig, type ServerConfig } from '../config/config.js';
import { identityOf, type Centre } from '../client/centre.js';
import { EcflowClient, type EcflowClientOptions } from '../client/ecflow-client.js';
import { readUpStatus, type UpRouteStatus } from '../client/up-status.js';
import type { Connector } from '../transport/connector.js';
import { LiveServer, type PollTuning, type RouteHealth, type Subscriber } from './live-server.js';
import { defaultServersTxtPath, readServersTxt } from './servers-import.js';
import { badRequest, UiRefusal } from './ui-errors.js';
import {
  UiErrorCode,
  type ServerHealth,
  type ServerMessage,
  type UiRequest,
  type UiRoute,
  type UiServer,
  type UiServerEdit,
  type UiServersImportData,
} from './ui-protocol.js';
import { answerServerRequest } from './ui-requests.js';
import { applyServerEdit, forgetOwnPasswordFile, importServers, removeServer, uiServerOf } from './ui-servers.js';

/** A browser connection as the hub sees it. */
export interface HubConnection extends Subscriber {
  /** The server names this connection follows. */
  readonly subscriptions: Set<string>;
}

export interface UiHubOptions {
  readonly config: LoadedConfig;
  readonly centre: Centre;
  readonly env?: NodeJS.ProcessEnv;
  readonly poll?: Partial<PollTuning>;
  readonly clientOptions?: Partial<EcflowClientOptions>;
  /** Messages for the user (stderr). Never given a password or the token. */
  readonly log?: (line: string) => void;
  /** How often route states are read for the health of servers behind routes (ms, default 2000). */
  readonly routeCheckMs?: number;
}

export class UiHub {
  private configNow: LoadedConfig;
  private readonly centre: Centre;
  private readonly options: UiHubOptions;
  private readonly lives = new Map<string, LiveServer>();
  private readonly connections = new Set<HubConnection>();
  private routeTimer: NodeJS.Timeout | undefined;
  private upRoutes: Readonly<Record<string, UpRouteStatus>> | undefined;
  private upGone = false;
  private saving: Promise<unknown> = Promise.resolve();

  constructor(options: UiHubOptions) {
    this.options = options;
    this.configNow = options.config;
    this.centre = options.centre;
  }

  get config(): LoadedConfig {
    return this.configNow;
  }

  /** Start a LiveServer for every configured server, and the route watch. */
  start(): void {
    this.readRoutes();
    for (const s of Object.values(this.configNow.servers)) this.startLive(s);
    this.routeTimer = setInterval(() => {
      this.readRoutes();
      for (const live of this.lives.values()) live.refreshHealth();
    }, this.options.routeCheckMs ?? 2000);
    this.routeTimer.unref?.();
  }

  async stop(): Promise<void> {
    clearInterval(this.routeTimer);
    const lives = [...this.lives.values()];
    this.lives.clear();
    await Promise.all(lives.map((l) => l.stop()));
  }

  /** The LiveServer of a configured server, or UNKNOWN_SERVER. */
  live(name: string): LiveServer {
    const live = typeof name === 'string' ? this.lives.get(name) : undefined;
    if (live === undefined) throw new UiRefusal(UiErrorCode.UNKNOWN_SERVER, `no server '${String(name)}' in ${this.configNow.path}`);
    return live;
  }

  servers(): UiServer[] {
    return Object.values(this.configNow.servers).map((s) => uiServerOf(s, this.lives.get(s.name)?.health ?? { state: 'connecting' }));
  }

  // ---- connections ----

  attach(conn: HubConnection): void {
    this.connections.add(conn);
  }

  detach(conn: HubConnection): void {
    this.connections.delete(conn);
    for (const name of conn.subscriptions) this.lives.get(name)?.unsubscribe(conn);
    conn.subscriptions.clear();
  }

  subscribe(conn: HubConnection, name: string): void {
    const live = this.live(name);
    conn.subscriptions.add(name);
    live.subscribe(conn);
  }

  unsubscribe(conn: HubConnection, name: string): void {
    conn.subscriptions.delete(name);
    this.lives.get(name)?.unsubscribe(conn);
  }

  resync(conn: HubConnection, name: string): void {
    const live = this.live(name);
    conn.subscriptions.add(name);
    live.resync(conn);
  }

  private broadcast(message: ServerMessage): void {
    const text = JSON.stringify(message);
    for (const c of this.connections) c.send(text);
  }

  // ---- requests ----

  /** Answer one request (throws for an error response). */
  async request(req: UiRequest): Promise<unknown> {
    if (typeof req !== 'object' || req === null || typeof req.what !== 'string') throw badRequest('a request needs `what`');
    switch (req.what) {
      case 'servers':
        return this.servers();
      case 'server-save':
        return this.serialised(() => this.saveServer(req.server, req.previousName));
      case 'server-remove':
        return this.serialised(() => this.removeServer(req.name));
      case 'servers-import':
        return this.serialised(() => this.importServers(req.file));
      case 'routes':
        return this.routes();
      default: {
        const live = this.live(req.server);
        live.touch(); // the user is looking at this server: poll at the fastest period
        const config = live.config;
        return answerServerRequest({ live, config, connector: () => this.connector(config) }, req);
      }
    }
  }

  /** Config changes one at a time (each reads the config the previous one wrote). */
  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.saving.then(work, work);
    this.saving = run.catch(() => undefined);
    return run;
  }

  private async saveServer(edit: UiServerEdit, previousName: string | undefined): Promise<UiServer> {
    const before = previousName !== undefined && previousName !== '' ? this.configNow.servers[previousName] : this.configNow.servers[edit?.name];
    const result = await applyServerEdit(this.configNow, edit, previousName);
    await this.write(result.config);
    if (before !== undefined && edit.clearPassword === true && result.server.passwordFile === undefined) {
      await forgetOwnPasswordFile(this.configNow, before);
    }
    const passwordChanged = (typeof edit.password === 'string' && edit.password !== '') || edit.clearPassword === true;
    const old = result.renamedFrom ?? (before !== undefined ? before.name : undefined);
    const live = old === undefined ? undefined : this.lives.get(old);
    if (live !== undefined && old !== undefined) {
      if (!passwordChanged && sameConnection(live.config, result.server)) {
        // Same server, same way to reach it: keep the session (and its model); move it to the new name.
        this.lives.delete(old);
        this.lives.set(result.server.name, live);
        for (const c of this.connections) {
          if (c.subscriptions.delete(old)) c.subscriptions.add(result.server.name);
        }
        live.reconfigure(result.server);
      } else {
        const subscribers = [...this.connections].filter((c) => c.subscriptions.has(old));
        this.lives.delete(old);
        void live.stop();
        const fresh = this.startLive(result.server);
        for (const c of subscribers) {
          c.subscriptions.delete(old);
          c.subscriptions.add(result.server.name);
          fresh.subscribe(c);
        }
      }
    } else if (!this.lives.has(result.server.name)) {
      this.startLive(result.server);
    }
    this.broadcast({ type: 'servers', servers: this.servers() });
    this.options.log?.(`server ${result.server.name} saved in ${this.configNow.path}${result.renamedFrom ? ` (was ${result.renamedFrom})` : ''}`);
    return uiServerOf(result.server, this.lives.get(result.server.name)?.health ?? { state: 'connecting' });
  }

  private async removeServer(name: string): Promise<{ removed: string }> {
    if (typeof name !== 'string') throw badRequest('server-remove needs a name');
    const config = await removeServer(this.configNow, name);
    await this.write(config);
    const live = this.lives.get(name);
    this.lives.delete(name);
    for (const c of this.connections) c.subscriptions.delete(name);
    await live?.stop();
    this.broadcast({ type: 'servers', servers: this.servers() });
    this.options.log?.(`server ${name} removed from ${this.configNow.path}`);
    return { removed: name };
  }

  private async importServers(file: string | undefined): Promise<UiServersImportData> {
    const path = file === undefined || file === '' ? defaultServersTxtPath(this.options.env ?? process.env) : file;
    if (typeof path !== 'string') throw badRequest('servers-import: file must be a path');
    let parsed;
    try {
      parsed = await readServersTxt(path);
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new EcflowError(ErrorCode.CONFIG, `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : String((e as Error).message)}`, { cause: e });
    }
    const result = importServers(this.configNow, parsed.servers);
    if (result.added.length > 0) {
      await this.write(result.config);
      for (const name of result.added) {
        const s = this.configNow.servers[name];
        if (s !== undefined) this.startLive(s);
      }
      this.broadcast({ type: 'servers', servers: this.servers() });
    }
    this.options.log?.(`imported ${result.added.length} server(s) from ${path} (${result.duplicates} already configured)`);
    return {
      file: path,
      added: result.added,
      skipped: [...parsed.skipped, ...result.skipped].sort((a, b) => a.line - b.line),
      duplicates: result.duplicates,
    };
  }

  private async write(config: LoadedConfig | Omit<LoadedConfig, 'path' | 'dir' | 'exists' | 'explicit'>): Promise<void> {
    const path = this.configNow.path;
    await saveConfig(path, { routes: config.routes, servers: config.servers, ui: config.ui });
    this.configNow = { ...this.configNow, routes: config.routes, servers: config.servers, ui: config.ui, exists: true };
  }

  // ---- routes ----

  routes(): UiRoute[] {
    this.readRoutes();
    return Object.values(this.configNow.routes).map((r) => {
      const s = this.routeStatus(r.name);
      if (s === undefined) {
        return {
          name: r.name,
          destination: r.destination,
          state: this.upGone ? 'down' : 'not started',
          ...(this.upGone ? { message: 'the ecflow-remote up that kept this route is no longer running' } : {}),
          fromUp: this.centre.attachedTo !== undefined,
        };
      }
      return {
        name: r.name,
        destination: r.destination,
        state: s.state,
        ...(s.lastError === undefined ? {} : { message: s.lastError.message }),
        since: s.since,
        ...(s.socksPort === undefined ? {} : { socksPort: s.socksPort }),
        reconnects: s.reconnects,
        ...(s.certificate === undefined
          ? {}
          : {
              certificateValidTo: s.certificate.validTo,
              certificateExpired: s.certificate.expired,
              ...(s.certificate.warning === undefined ? {} : { certificateWarning: s.certificate.warning }),
            }),
        fromUp: this.centre.attachedTo !== undefined,
      };
    });
  }

  private readRoutes(): void {
    if (this.centre.attachedTo === undefined) return;
    const up = readUpStatus(this.centre.runtimeDir);
    this.upGone = up === undefined;
    this.upRoutes = up?.routes;
  }

  private routeStatus(name: string): UpRouteStatus | undefined {
    if (this.centre.attachedTo !== undefined) return this.upRoutes?.[name];
    return this.centre.routeStatuses()[name];
  }

  private routeHealth(route: string | undefined): RouteHealth | undefined {
    if (route === undefined) return undefined;
    const s = this.routeStatus(route);
    if (s === undefined) {
      return { name: route, state: this.upGone ? 'down' : 'not started', ...(this.upGone ? { message: 'ecflow-remote up is no longer running' } : {}) };
    }
    return {
      name: route,
      state: s.state,
      ...(s.lastError === undefined ? {} : { message: s.lastError.message }),
      ...(s.certificate === undefined ? {} : { certificateValidTo: s.certificate.validTo, certificateExpired: s.certificate.expired }),
    };
  }

  // ---- servers ----

  private connector(s: ServerConfig): Connector | undefined {
    return this.centre.routeConnector(s.route);
  }

  private startLive(s: ServerConfig): LiveServer {
    let live: LiveServer | undefined;
    const client = this.clientFor(s);
    live = new LiveServer({
      name: s.name,
      config: s,
      client,
      ...(this.options.poll === undefined ? {} : { poll: this.options.poll }),
      routeHealth: () => this.routeHealth(live?.config.route),
      onHealth: (name, health: ServerHealth) => this.broadcast({ type: 'health', server: name, health }),
      onWarning: (m) => this.options.log?.(`warning: ${m}`),
      onStats: (name, st) => this.options.log?.(`${name}: snapshot of ${st.nodes} nodes, ${(st.bytes / 1e6).toFixed(1)} MB, built in ${st.buildMs.toFixed(0)} ms`),
    });
    this.lives.set(s.name, live);
    live.start();
    return live;
  }

  /** An EcflowClient for a server of the current config (its route's connector, its identity). */
  private clientFor(s: ServerConfig): EcflowClient {
    const connector = s.route === undefined ? undefined : this.centre.routeConnector(s.route);
    return new EcflowClient({
      host: s.host,
      port: s.port,
      ssl: s.ssl,
      identity: identityOf(s),
      ...(connector === undefined ? {} : { connector }),
      ...(this.options.env === undefined ? {} : { env: this.options.env }),
      onWarning: (m) => this.options.log?.(`warning: ${m}`),
      ...this.options.clientOptions,
    });
  }
}

/** Same host, port, route, TLS, identity and suite filter: the session can stay. */
function sameConnection(a: ServerConfig, b: ServerConfig): boolean {
  return (
    a.host === b.host &&
    a.port === b.port &&
    a.route === b.route &&
    a.ssl === b.ssl &&
    a.remoteUser === b.remoteUser &&
    a.customUser === b.customUser &&
    a.passwordFile === b.passwordFile &&
    JSON.stringify(a.suites) === JSON.stringify(b.suites)
  );
}
