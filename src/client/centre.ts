/**
 * The centre as the configuration describes it: routes (supervised OpenSSH masters) and the ecFlow
 * servers behind them. Gives each server an `EcflowClient` with the right connection (direct, or
 * through its route's SOCKS port with remote DNS) and identity (remote user, custom user,
 * password file, TLS), and each route's connector for log servers.
 *
 * Routes come from a running `ecflow-remote up` when there is one (its status file names the SOCKS
 * port and control socket of every route), else this process starts its own masters on first use
 * and stops them in `stop()`.
 */
import { EcflowError, ErrorCode } from '../errors.js';
import { suggest, type LoadedConfig, type RouteConfig, type ServerConfig } from '../config/config.js';
import type { Connector } from '../transport/connector.js';
import { ensureRuntimeDir } from '../transport/runtime-dir.js';
import { muxAddForward } from '../transport/ssh-forwards.js';
import { pickLocalPort } from '../transport/ssh-probe.js';
import { RouteSupervisor, type RouteSpec, type RouteStatus, type RouteSupervisorOptions } from '../transport/ssh-route.js';
import { socksConnector } from '../transport/socks.js';
import { EcflowClient, type EcflowClientOptions } from './ecflow-client.js';
import type { EcflowIdentity } from './identity.js';
import { readUpStatus, type UpRouteStatus, type UpStatus } from './up-status.js';

export interface CentreOptions {
  readonly config: LoadedConfig;
  readonly env?: NodeJS.ProcessEnv;
  /** Private runtime directory (control sockets, up.json); default: see runtime-dir.ts. */
  readonly runtimeDir?: string;
  /** Use the routes of a running `ecflow-remote up` (default true). */
  readonly attach?: boolean;
  readonly routeOptions?: RouteSupervisorOptions;
  /** Every status change of a route this process supervises. */
  readonly onRouteStatus?: (route: string, status: RouteStatus) => void;
  /** Certificate warnings and ssh stderr lines of our own routes. */
  readonly onRouteLog?: (route: string, line: string) => void;
  readonly onWarning?: (message: string) => void;
  readonly clientOptions?: Partial<EcflowClientOptions>;
}

export class Centre {
  readonly config: LoadedConfig;
  readonly runtimeDir: string;
  private readonly options: CentreOptions;
  private readonly own = new Map<string, RouteSupervisor>();
  private readonly up: UpStatus | undefined;

  private constructor(options: CentreOptions, runtimeDir: string, up: UpStatus | undefined) {
    this.config = options.config;
    this.options = options;
    this.runtimeDir = runtimeDir;
    this.up = up;
  }

  /**
   * @example
   * const centre = Centre.open({ config: await loadConfig() });
   * const client = await centre.client('op');
   * await client.ping();
   * await centre.stop();
   */
  static open(options: CentreOptions): Centre {
    const runtimeDir = ensureRuntimeDir({
      ...(options.runtimeDir === undefined ? {} : { dir: options.runtimeDir }),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    const up = options.attach === false ? undefined : readUpStatus(runtimeDir);
    return new Centre(options, runtimeDir, up);
  }

  /** The running `up` this centre uses, if any. */
  get attachedTo(): UpStatus | undefined {
    return this.up;
  }

  /** The server of that name, or a CONFIG error that names the config file and suggests a name. */
  server(name: string): ServerConfig {
    const s = this.config.servers[name];
    if (s !== undefined) return s;
    const known = Object.keys(this.config.servers);
    const hint = suggest(name, known);
    throw new EcflowError(
      ErrorCode.CONFIG,
      `no server '${name}' in ${this.config.path}` +
        (hint !== undefined ? ` (did you mean '${hint}'?)` : known.length > 0 ? ` (servers: ${known.join(', ')})` : ' (it has no [servers.*] tables)'),
    );
  }

  routeConfig(name: string): RouteConfig {
    const r = this.config.routes[name];
    if (r === undefined) throw new EcflowError(ErrorCode.CONFIG, `no route '${name}' in ${this.config.path}`);
    return r;
  }

  /** Our own supervisor of a route (created and started on first use). */
  supervisor(name: string): RouteSupervisor {
    let route = this.own.get(name);
    if (route === undefined) {
      route = new RouteSupervisor(routeSpec(this.routeConfig(name)), {
        ...(this.options.env === undefined ? {} : { env: this.options.env }),
        runtimeDir: this.runtimeDir,
        ...this.options.routeOptions,
      });
      const r = route;
      r.on('status', (s) => this.options.onRouteStatus?.(name, s));
      r.on('log', (line) => this.options.onRouteLog?.(name, line));
      r.on('certificate-warning', (w) => this.options.onRouteLog?.(name, w.message));
      this.own.set(name, r);
      r.start();
    }
    return route;
  }

  /** Start every configured route (what `up` does). */
  startAllRoutes(): void {
    for (const name of Object.keys(this.config.routes)) this.supervisor(name);
  }

  /** Snapshots of the routes: our own, or those of the running `up`. */
  routeStatuses(): Record<string, UpRouteStatus> {
    const out: Record<string, UpRouteStatus> = {};
    if (this.up !== undefined && this.own.size === 0) return { ...this.up.routes };
    for (const [name, r] of this.own) {
      out[name] = { ...r.status(), ...(r.controlPath === undefined ? {} : { controlPath: r.controlPath }) };
    }
    return out;
  }

  /** How to reach hosts inside a route: undefined = direct. */
  routeConnector(routeName: string | undefined): Connector | undefined {
    if (routeName === undefined) return undefined;
    this.routeConfig(routeName);
    if (this.up !== undefined) {
      const runtimeDir = this.runtimeDir;
      const configPath = this.config.path;
      return socksConnector(
        async () => {
          const now = readUpStatus(runtimeDir);
          const r = now?.routes[routeName];
          if (now === undefined) throw new EcflowError(ErrorCode.CONNECT, `ecflow-remote up (pid ${this.up!.pid}) is no longer running`);
          if (r === undefined) {
            throw new EcflowError(ErrorCode.CONNECT, `ecflow-remote up (pid ${now.pid}) has no route '${routeName}' (started with ${now.configPath}, not ${configPath}?)`);
          }
          if (r.state !== 'up' || r.socksPort === undefined) {
            const why = r.lastError?.message;
            const text = why === undefined ? `route '${routeName}' is ${r.state}` : why.includes(`'${routeName}'`) ? why : `route '${routeName}' (${r.state}): ${why}`;
            throw new EcflowError(ErrorCode.CONNECT, text);
          }
          return { host: '127.0.0.1', port: r.socksPort };
        },
        { label: routeName },
      );
    }
    return this.supervisor(routeName).connector();
  }

  /** An EcflowClient for a configured server, with its route and identity. */
  client(serverName: string, extra: Partial<EcflowClientOptions> = {}): EcflowClient {
    const s = this.server(serverName);
    const connector = this.routeConnector(s.route);
    return new EcflowClient({
      host: s.host,
      port: s.port,
      ssl: s.ssl,
      identity: identityOf(s),
      ...(connector === undefined ? {} : { connector }),
      ...(this.options.env === undefined ? {} : { env: this.options.env }),
      ...(this.options.onWarning === undefined ? {} : { onWarning: this.options.onWarning }),
      ...this.options.clientOptions,
      ...extra,
    });
  }

  /**
   * A local port forwarded through the route to host:port (for programs that cannot use SOCKS,
   * like ecflow_ui). Uses the running `up`'s master when there is one.
   */
  async forward(routeName: string, host: string, port: number): Promise<number> {
    this.routeConfig(routeName);
    const up = this.up?.routes[routeName];
    if (up !== undefined && this.own.size === 0) {
      if (up.controlPath === undefined || up.state !== 'up') {
        throw new EcflowError(ErrorCode.CONNECT, `route '${routeName}' of ecflow-remote up is ${up.state}; cannot add a forward`);
      }
      const localPort = await pickLocalPort();
      const problem = await muxAddForward(up.controlPath, { localPort, remoteHost: host, remotePort: port });
      if (problem !== undefined) throw new EcflowError(ErrorCode.CONNECT, `forward to ${host}:${port} through '${routeName}': ${problem}`);
      return localPort;
    }
    return this.supervisor(routeName).addForward(host, port);
  }

  /** Stop the routes this process started (a running `up` keeps its own). */
  async stop(): Promise<void> {
    await Promise.all([...this.own.values()].map((r) => r.stop()));
    this.own.clear();
  }
}

export function routeSpec(r: RouteConfig): RouteSpec {
  return {
    name: r.name,
    destination: r.destination,
    ...(r.jump.length > 0 ? { jump: r.jump } : {}),
    ...(r.sshConfig === undefined ? {} : { sshConfig: r.sshConfig }),
    ...(r.loginCommand === undefined ? {} : { loginCommand: r.loginCommand }),
    ...(r.socksPort === undefined ? {} : { socksPort: r.socksPort }),
    ...(r.identityFile === undefined ? {} : { identityFile: r.identityFile }),
    ...(r.certificateFile === undefined ? {} : { certificateFile: r.certificateFile }),
  };
}

export function identityOf(s: ServerConfig): EcflowIdentity {
  return {
    ...(s.remoteUser === undefined ? {} : { remoteUser: s.remoteUser }),
    ...(s.customUser === undefined ? {} : { customUser: s.customUser }),
    ...(s.passwordFile === undefined ? {} : { passwordFile: s.passwordFile }),
  };
}
