/**
 * `RouteSupervisor`: one supervised OpenSSH master per route ("routes to the centre"), following
 * connectivity-notes.md §5. Design note:
 *
 * - We spawn `ssh -N … -D 127.0.0.1:<port> <destination>` ourselves (never `-f`), in its own
 *   process group, so we keep its PID, exit status and stderr (ssh-command.ts for the argv).
 * - States: idle → connecting → up → backoff | needs-login | failed → connecting …
 *   `connecting` ends when a probe through the SOCKS port reaches the destination's sshd (an `SSH-`
 *   banner) and, with multiplexing, `ssh -O check` answers. While `up`, the same probe runs every
 *   ~10 s; `-O check` is never used as health (it says "Master running" on a dead link). A failed
 *   probe (twice in a row by default) kills the master and the route reconnects.
 * - Every exit is classified from stderr + status (ssh-classify.ts): auth → `needs-login` (no
 *   retries: autossh hammered the jump host 16 times in 90 s, notes §4.6), host key / config →
 *   `failed`, local port in use → another port at once, anything else → backoff 1, 2, 4 … 60 s
 *   ±20 %, reset after 60 s up.
 * - Before each (re)connect the certificate is checked locally (OpenSSH never says "expired",
 *   notes §1.6); an expired one means `needs-login` without any ssh attempt. The certificate files
 *   are watched, and a new valid one (after `tsh login`) reconnects at once.
 * - Forwards on demand (`addForward`) go through the control socket (`-O forward/cancel`) and are
 *   re-applied after each reconnect. Without multiplexing (Windows OpenSSH has no ControlMaster,
 *   notes §0.9: `multiplexing: false`) the forwards are fixed `-L` options and a change restarts
 *   the master; this path is exercised on Linux by forcing the flag off, not on Windows itself.
 * - `stop()`: `-O exit`, then SIGTERM, then SIGKILL (to the process group); the control socket
 *   is unlinked. A process-exit hook (ssh-process.ts) cleans up whatever is still running.
 */

import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EcflowError, ErrorCode } from '../errors.js';
import { Backoff } from './backoff.js';
import { formatTarget, type ConnectTarget, type Connector } from './connector.js';
import { ensureRuntimeDir, shortRouteId } from './runtime-dir.js';
import { type CertificateInfo, certificateProblem, formatLocalTime } from './ssh-certificate.js';
import { CertificateWatch, type CertificateChange } from './ssh-certificate-watch.js';
import { classifySshFailure, type SshFailure, type SshFailureKind } from './ssh-classify.js';
import { buildGeneratedConfig, buildMasterArgv, type SshResolvedConfig, type SshTarget } from './ssh-command.js';
import { ForwardRegistry, muxAddForward, muxCancelForward, runControl, type ForwardEntry } from './ssh-forwards.js';
import { type ExitInfo, type Master, STDERR_KEEP, startMaster, stopMaster, within } from './ssh-master.js';
import { ownerFile, sweepOrphanedMasters, writeOwnerRecord } from './ssh-orphans.js';
import { localPortAccepts, localPortFree, pickLocalPort, probeSshBanner } from './ssh-probe.js';
import { resolveRoute } from './ssh-resolve.js';
import type {
  RouteCertificateStatus,
  RouteError,
  RouteEvents,
  RouteSpec,
  RouteState,
  RouteStatus,
  RouteSupervisorOptions,
} from './ssh-route-types.js';
import { REMOTE_CLOSED_REASON, socksConnector, type SocksProxyAddress } from './socks.js';

export * from './ssh-route-types.js';
export { jumpTarget } from './ssh-command.js';

type Outcome =
  | { type: 'exit'; exit: ExitInfo; stderr: string; wasUp: boolean }
  | { type: 'health'; reason: string; stderr: string }
  | { type: 'not-ready'; reason: string; stderr: string }
  | { type: 'restart' }
  | { type: 'stopped' }
  | { type: 'spawn-error'; error: Error };

type Next = 'now' | 'backoff' | 'needs-login' | 'failed' | 'stop';

/** Runtime directories already swept for orphaned masters by this process. */
const sweptDirs = new Set<string>();

/** stderr lines kept in `lastError.stderrTail`. */
const TAIL_LINES = 12;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Supervises one route. Create, `start()`, use `connector()` for our own clients and
 * `addForward()` for third-party programs, `stop()` at the end.
 *
 * @example
 * const route = new RouteSupervisor({ name: 'centre', destination: 'ws', loginCommand: 'tsh login --proxy=jump' });
 * route.on('state', (s) => console.log(s.state, s.lastError?.message ?? ''));
 * route.start();
 * await route.waitUntilUp();
 * const client = new EcflowClient({ host: 'machine1', port: 4141, connector: route.connector() });
 * const port = await route.addForward('machine1', 4141); // ecflow_ui: 127.0.0.1:<port>
 * await route.stop();
 */
export class RouteSupervisor extends EventEmitter<RouteEvents> {
  readonly route: RouteSpec;
  readonly multiplexing: boolean;
  private readonly options: RouteSupervisorOptions;
  private readonly env: NodeJS.ProcessEnv;
  private readonly ssh: string;
  private readonly backoff: Backoff;
  private readonly registry = new ForwardRegistry();
  private certificates: CertificateWatch;
  private forwardLock: Promise<unknown> = Promise.resolve();

  private stateValue: RouteState = 'idle';
  private sinceValue = new Date();
  private lastErrorValue: RouteError | undefined;
  private nextAttemptAt: Date | undefined;
  private socksPortValue: number | undefined;
  private socksPortMoved = false;
  private portRetries = 0;
  private attempts = 0;
  private master: Master | undefined;
  private loop: Promise<void> | undefined;
  private stopRequested = false;
  private restartRequested = false;
  private wakers: (() => void)[] = [];
  private upResetTimer: NodeJS.Timeout | undefined;
  private id: string | undefined;
  private runtimeDir: string | undefined;
  private generatedConfig: string | undefined;
  private resolved: SshResolvedConfig[] | undefined;
  private loginRunning: Promise<number | null> | undefined;
  private logLines: { at: number; line: string }[] = [];

  constructor(route: RouteSpec, options: RouteSupervisorOptions = {}) {
    super();
    if (typeof route.name !== 'string' || route.name === '') throw new EcflowError(ErrorCode.INVALID_ARGUMENT, 'a route needs a name');
    this.route = route;
    this.options = options;
    this.multiplexing = options.multiplexing ?? process.platform !== 'win32';
    this.env = options.env ?? process.env;
    this.ssh = options.ssh ?? 'ssh';
    this.backoff = new Backoff(options.backoff);
    this.certificates = this.newCertificateWatch();
  }

  private newCertificateWatch(): CertificateWatch {
    return new CertificateWatch({
      find: this.findOptions([]),
      loginCommand: this.route.loginCommand,
      ...(this.options.certificateWarningsMin ? { thresholdsMin: this.options.certificateWarningsMin } : {}),
      ...(this.options.certificateWatchIntervalMs ? { fileIntervalMs: this.options.certificateWatchIntervalMs } : {}),
      onChange: (change, cert, warning) => this.onCertificateChange(change, cert, warning),
    });
  }

  // ------------------------------------------------------------------ public API

  get name(): string {
    return this.route.name;
  }

  get state(): RouteState {
    return this.stateValue;
  }

  /** The SOCKS port of the current (or last) master. */
  get socksPort(): number | undefined {
    return this.socksPortValue;
  }

  /** The control socket (multiplexing only), once started. */
  get controlPath(): string | undefined {
    return this.multiplexing && this.runtimeDir !== undefined && this.id !== undefined ? join(this.runtimeDir, this.id) : undefined;
  }

  /** A snapshot of the route (JSON-friendly). */
  status(): RouteStatus {
    const cert = this.certificateStatus();
    return {
      name: this.route.name,
      state: this.stateValue,
      socksPort: this.socksPortValue,
      pid: this.master?.exit === undefined ? this.master?.pid : undefined,
      since: this.sinceValue.toISOString(),
      lastError: this.lastErrorValue,
      ...(cert === undefined ? {} : { certificate: cert }),
      reconnects: Math.max(0, this.attempts - 1),
      ...(this.stateValue === 'backoff' && this.nextAttemptAt ? { nextAttemptAt: this.nextAttemptAt.toISOString() } : {}),
      multiplexing: this.multiplexing,
      forwards: this.registry.list(),
    };
  }

  /** The last stderr lines of the masters (most recent last). */
  log(lines = 50): string[] {
    return this.logLines.slice(-lines).map((l) => l.line);
  }

  /** Starts supervising (no-op when running). Watch `state` events or use {@link waitUntilUp}. */
  start(): void {
    if (this.loop !== undefined) return;
    this.stopRequested = false;
    if (this.certificates.isClosed) this.certificates = this.newCertificateWatch();
    this.loop = this.run().catch((e: unknown) => {
      // A bug in the loop: report it as a failure instead of an unhandled rejection.
      this.setError('unknown', `route supervisor crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, '');
      this.setState('failed');
    });
  }

  /**
   * Reconnect now: leaves backoff / needs-login / failed at once (and re-reads the ssh config and
   * the certificate); when up, restarts the master.
   */
  reconnect(): void {
    this.backoff.reset();
    this.resolved = undefined;
    if (this.stateValue === 'up' || this.stateValue === 'connecting') this.restartMaster();
    this.wake();
  }

  /**
   * Runs the route's `loginCommand` (through the shell, with the terminal: `tsh login` may open a
   * browser or ask questions), then reconnects when it succeeded. Never called by the supervisor
   * itself. Resolves with the command's exit code.
   */
  login(options: { stdio?: 'inherit' | 'ignore' } = {}): Promise<number | null> {
    const command = this.route.loginCommand;
    if (command === undefined || command.trim() === '') {
      return Promise.reject(new EcflowError(ErrorCode.INVALID_ARGUMENT, `route '${this.name}' has no login_command`));
    }
    this.loginRunning ??= new Promise<number | null>((resolve) => {
      const child = spawn(command, { shell: true, stdio: options.stdio ?? 'inherit', env: this.env, windowsHide: false });
      child.once('error', () => resolve(null));
      child.once('exit', (code) => resolve(code));
    }).then(async (code) => {
      this.loginRunning = undefined;
      if (code === 0) {
        this.resolved = undefined;
        await this.certificates.refresh();
        this.backoff.reset();
        if (this.stateValue !== 'up' && this.stateValue !== 'idle') this.wake();
      }
      return code;
    });
    return this.loginRunning;
  }

  /**
   * Resolves when the route is up. Rejects with EcflowError CONNECT at once in needs-login / failed
   * / idle, or when it is not up within `timeoutMs` (or `signal` aborts: with its reason).
   */
  async waitUntilUp(timeoutMs: number = this.options.connectWaitMs ?? 15_000, signal?: AbortSignal): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const state = this.stateValue;
      if (state === 'up') return;
      if (state === 'needs-login' || state === 'failed' || state === 'idle') throw this.unavailableError();
      const left = deadline - performance.now();
      if (left <= 0) throw this.unavailableError(`not up after ${timeoutMs} ms`);
      if (state === 'backoff' && this.nextAttemptAt && this.nextAttemptAt.getTime() - Date.now() > left) {
        throw this.unavailableError(`down, next attempt at ${formatLocalTime(this.nextAttemptAt)}`);
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.off('state', done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.on('state', done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  /**
   * A Connector for our own clients through this route's SOCKS port (remote DNS). It waits for `up`
   * while the route is connecting (up to `connectWaitMs`) and fails at once with a clear message
   * when the route needs a login or has failed.
   *
   * @example
   * const client = new EcflowClient({ host: 'machine1', port: 4141, connector: route.connector() });
   */
  connector(): Connector {
    const source = async (signal: AbortSignal): Promise<SocksProxyAddress> => {
      await this.waitUntilUp(this.options.connectWaitMs ?? 15_000, signal);
      const port = this.socksPortValue;
      if (port === undefined) throw this.unavailableError();
      return { host: '127.0.0.1', port };
    };
    const inner = socksConnector(source, { label: this.name });
    return async (target, signal) => {
      const started = Date.now();
      try {
        return await inner(target, signal);
      } catch (e) {
        if (e instanceof EcflowError && e.message.includes(REMOTE_CLOSED_REASON)) {
          await sleep(100); // the master's "channel N: open failed" line may still be on its way
          const reason = this.openFailureSince(started);
          if (reason !== undefined) {
            throw new EcflowError(
              ErrorCode.CONNECT,
              `cannot reach ${formatTarget(target)} through route '${this.name}': the workstation could not connect: ${reason}`,
              { cause: e },
            );
          }
        }
        throw e;
      }
    };
  }

  /**
   * A local forward `127.0.0.1:<port>` → `remoteHost:remotePort` (as seen from the destination),
   * for programs that cannot use SOCKS. Returns the local port; the same target twice gives the
   * same port. Kept across reconnects. Waits for `up` like {@link connector}.
   */
  addForward(remoteHost: string, remotePort: number, options: { localPort?: number } = {}): Promise<number> {
    return this.withForwardLock(() => this.addForwardNow(remoteHost, remotePort, options));
  }

  private async addForwardNow(remoteHost: string, remotePort: number, options: { localPort?: number }): Promise<number> {
    const existing = this.registry.get(remoteHost, remotePort);
    if (existing) return existing.localPort;
    await this.waitUntilUp();
    if (!this.multiplexing) return this.addFixedForward(remoteHost, remotePort, options.localPort);
    const controlPath = this.controlPath;
    if (controlPath === undefined) throw this.unavailableError();
    let reason = '';
    for (let i = 0; i < 3; i++) {
      const localPort = options.localPort ?? (await pickLocalPort());
      const entry: ForwardEntry = { localPort, remoteHost, remotePort };
      const problem = await muxAddForward(controlPath, entry, this.muxOptions());
      if (problem === undefined) {
        this.registry.set(entry);
        this.emitStatus();
        return localPort;
      }
      reason = problem;
      if (options.localPort !== undefined) break;
    }
    throw new EcflowError(ErrorCode.CONNECT, `route '${this.name}': cannot forward a local port to ${remoteHost}:${remotePort}: ${reason}`);
  }

  /** Removes a forward made by {@link addForward} (checked by connecting to its port). */
  cancelForward(remoteHost: string, remotePort: number): Promise<void> {
    return this.withForwardLock(() => this.cancelForwardNow(remoteHost, remotePort));
  }

  /** One forward change at a time (two adds of the same target must give one forward). */
  private withForwardLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.forwardLock.then(fn, fn);
    this.forwardLock = run.catch(() => undefined);
    return run;
  }

  private async cancelForwardNow(remoteHost: string, remotePort: number): Promise<void> {
    const entry = this.registry.get(remoteHost, remotePort);
    if (entry === undefined) return;
    this.registry.delete(remoteHost, remotePort);
    this.emitStatus();
    if (!this.multiplexing) {
      await this.restartAndWait().catch(() => undefined);
      return;
    }
    const controlPath = this.controlPath;
    if (controlPath === undefined || this.master === undefined || this.master.exit !== undefined) return;
    const problem = await muxCancelForward(controlPath, entry, this.muxOptions());
    if (problem !== undefined) throw new EcflowError(ErrorCode.CONNECT, `route '${this.name}': ${problem}`);
  }

  /** The forwards wanted now. */
  forwards(): ForwardEntry[] {
    return this.registry.list();
  }

  /**
   * Stops the route: `-O exit`, then SIGTERM, then SIGKILL to the master's process group; removes
   * the control socket and generated files. The route can be started again.
   */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.wake();
    const master = this.master;
    if (master !== undefined) await this.killMaster(master, true);
    await this.loop;
    this.loop = undefined;
    this.certificates.close();
    if (this.upResetTimer) clearTimeout(this.upResetTimer);
    for (const file of [this.controlPath, this.generatedConfig, this.ownerPath()]) if (file !== undefined) rmSync(file, { force: true });
    this.generatedConfig = undefined;
    this.resolved = undefined;
    this.setState('idle');
  }

  // ------------------------------------------------------------------ the loop

  private async run(): Promise<void> {
    while (!this.stopRequested) {
      const next = await this.connectOnce();
      if (this.stopRequested || next === 'stop') break;
      if (next === 'now') continue;
      if (next === 'backoff') {
        const delay = this.backoff.next();
        this.nextAttemptAt = new Date(Date.now() + delay);
        this.setState('backoff');
        await this.sleep(delay);
        continue;
      }
      this.setState(next);
      this.certificates.pollAgent(next === 'needs-login');
      await this.sleep(Number.POSITIVE_INFINITY); // until reconnect(), login(), a new certificate, or stop()
      this.certificates.pollAgent(false);
    }
  }

  /** One attempt: prepare, check the certificate, start the master, supervise it until it is gone. */
  private async connectOnce(): Promise<Next> {
    this.setState('connecting');
    try {
      await this.prepare();
    } catch (e) {
      this.setError('config', e instanceof Error ? e.message : String(e), '');
      return 'failed';
    }
    if (this.stopRequested) return 'stop';

    const cert = this.certificates.current;
    if (cert !== undefined) {
      const problem = certificateProblem(cert, Date.now(), this.route.loginCommand);
      if (problem !== undefined) {
        this.setError('auth', `route '${this.name}' needs a new login: ${problem}`, '');
        return 'needs-login';
      }
    }

    const socksPort = await this.chooseSocksPort();
    if (socksPort === undefined) {
      const fixed = this.route.socksPort ?? 0;
      this.setError(
        'port-in-use',
        `SOCKS port 127.0.0.1:${fixed} (socks_port of route '${this.name}') is already in use by another program: ` +
          'stop that program, choose another socks_port, or allow another port',
        '',
      );
      return 'failed';
    }
    this.socksPortValue = socksPort;

    const outcome = await this.runMaster(socksPort);
    return this.decide(outcome, socksPort);
  }

  private async decide(outcome: Outcome, socksPort: number): Promise<Next> {
    switch (outcome.type) {
      case 'stopped':
        return 'stop';
      case 'restart':
        return 'now';
      case 'spawn-error': {
        const code = (outcome.error as NodeJS.ErrnoException).code;
        const hint = code === 'ENOENT' ? ': is the OpenSSH client installed and on PATH?' : '';
        this.setError('config', `cannot start ${this.ssh}: ${outcome.error.message}${hint}`, '');
        return 'failed';
      }
      case 'health':
        this.setError('network', `route '${this.name}' lost its data path (${outcome.reason}); reconnecting`, outcome.stderr);
        return 'backoff';
      case 'not-ready':
        this.setError('network', outcome.reason, outcome.stderr);
        return 'backoff';
      case 'exit':
        break;
    }
    const failure = classifySshFailure(outcome.stderr, outcome.exit.code, outcome.exit.signal);
    const stderrTail = tail(outcome.stderr);
    if (failure.action === 'needs-login') {
      this.setError('auth', this.authMessage(failure), stderrTail, failure);
      return 'needs-login';
    }
    if (failure.action === 'failed') {
      this.setError(failure.kind, `route '${this.name}': ${failure.message}`, stderrTail, failure);
      return 'failed';
    }
    if (failure.action === 'new-port') {
      this.setError(failure.kind, `route '${this.name}': ${failure.message}`, stderrTail, failure);
      if (failure.port === socksPort || failure.port === undefined) {
        if (this.route.socksPort !== undefined && !this.socksPortMoved && this.options.socksPortFallback !== true) return 'failed';
        this.socksPortMoved = this.route.socksPort !== undefined;
        this.socksPortValue = undefined;
      } else {
        await this.moveForward(failure.port);
      }
      this.portRetries++;
      return this.portRetries <= 5 ? 'now' : 'backoff';
    }
    const what = outcome.wasUp ? 'route lost' : 'cannot connect';
    this.setError(failure.kind, `route '${this.name}': ${what}: ${failure.message}`, stderrTail, failure);
    return 'backoff';
  }

  /** The needs-login message: which hop refused, and what the certificate says. */
  private authMessage(failure: SshFailure): string {
    const cert = this.certificates.current;
    const problem = cert === undefined ? undefined : certificateProblem(cert, Date.now(), this.route.loginCommand);
    const login = this.route.loginCommand === undefined ? '' : ` (login_command: \`${this.route.loginCommand}\`)`;
    let certText = '';
    if (problem !== undefined) certText = ` ${problem}.`;
    else if (cert !== undefined) {
      const until = cert.validTo === null ? 'with no end' : `until ${formatLocalTime(cert.validTo)}`;
      certText = ` Certificate ${cert.path} is valid ${until}, but was not accepted (wrong principal, or a CA the server does not trust?).`;
    }
    return `route '${this.name}' needs a new login: ${failure.message}${certText}${problem === undefined ? login : ''}`;
  }

  // ------------------------------------------------------------------ preparation

  private findOptions(resolved: SshResolvedConfig[]) {
    return {
      certificateFile: this.route.certificateFile,
      identityFile: this.route.identityFile,
      resolved,
      ...(this.options.agent === undefined ? {} : { agent: this.options.agent }),
      ...(this.options.teleportHome === undefined ? {} : { teleportHome: this.options.teleportHome }),
      ...(this.options.sshKeygen ? { sshKeygen: this.options.sshKeygen } : {}),
      ...(this.options.sshAdd ? { sshAdd: this.options.sshAdd } : {}),
      env: this.env,
    };
  }

  /** Runtime dir, generated config, `ssh -G` (cached), certificate. Throws with a user message. */
  private async prepare(): Promise<void> {
    if (this.runtimeDir === undefined) {
      const dir = ensureRuntimeDir(this.options.runtimeDir === undefined ? {} : { dir: this.options.runtimeDir });
      if (!sweptDirs.has(dir)) {
        sweptDirs.add(dir);
        await sweepOrphanedMasters(dir, this.muxOptions());
      }
      this.runtimeDir = dir;
      this.id = shortRouteId(this.route.name);
    }
    if (this.generatedConfig === undefined && (this.route.identityFile !== undefined || this.route.certificateFile !== undefined)) {
      const path = join(this.runtimeDir, `${this.id ?? 'route'}.conf`);
      writeFileSync(
        path,
        buildGeneratedConfig({
          routeName: this.route.name,
          identityFile: this.route.identityFile,
          certificateFile: this.route.certificateFile,
          include: this.includedConfigs(),
        }),
        { mode: 0o600 },
      );
      this.generatedConfig = path;
    }
    if (this.resolved === undefined) {
      const resolved = await resolveRoute(this.target(), { ssh: this.ssh, env: this.env });
      this.resolved = resolved;
      await this.certificates.refresh(this.findOptions(resolved));
    } else {
      await this.certificates.refresh();
    }
  }

  /** -F: the generated config, or the route's sshConfig, or none (the user's default). */
  private configFile(): string | undefined {
    return this.generatedConfig ?? this.route.sshConfig;
  }

  private target(): SshTarget {
    return { destination: this.route.destination, jump: this.route.jump, configFile: this.configFile() };
  }

  /** What the generated config includes: the route's file, or the user's and the system's. */
  private includedConfigs(): string[] {
    if (this.route.sshConfig !== undefined) return [this.route.sshConfig];
    const system =
      process.platform === 'win32' ? join(this.env['ProgramData'] ?? 'C:\\ProgramData', 'ssh', 'ssh_config') : '/etc/ssh/ssh_config';
    return [join(homedir(), '.ssh', 'config'), system].filter((f) => existsSync(f));
  }

  private async chooseSocksPort(): Promise<number | undefined> {
    const fixed = this.route.socksPort;
    if (fixed !== undefined && !this.socksPortMoved) {
      if (await localPortFree(fixed)) return fixed;
      if (this.options.socksPortFallback !== true) return undefined;
      this.socksPortMoved = true;
    }
    const previous = this.socksPortValue;
    if (previous !== undefined && (await localPortFree(previous))) return previous;
    return pickLocalPort();
  }

  // ------------------------------------------------------------------ the master

  private async spawnMaster(socksPort: number): Promise<Master | Error> {
    const controlPath = this.controlPath;
    const argv = buildMasterArgv({
      ...this.target(),
      controlPath,
      socksPort,
      ...(this.multiplexing ? {} : { forwards: this.registry.list() }),
      ...(this.options.serverAliveInterval === undefined ? {} : { serverAliveInterval: this.options.serverAliveInterval }),
      ...(this.options.serverAliveCountMax === undefined ? {} : { serverAliveCountMax: this.options.serverAliveCountMax }),
      ...(this.options.connectTimeout === undefined ? {} : { connectTimeout: this.options.connectTimeout }),
    });
    const owner = this.ownerPath() ?? join(this.runtimeDir ?? '', 'route.owner');
    return startMaster({
      ssh: this.ssh,
      argv,
      env: this.env,
      controlPath,
      files: [owner, ...(this.generatedConfig === undefined ? [] : [this.generatedConfig])],
      beforeTrack: (pid) =>
        writeOwnerRecord(owner, {
          ownerPid: process.pid,
          route: this.route.name,
          masterPid: pid,
          ...(controlPath === undefined ? {} : { controlPath }),
          ...(this.generatedConfig === undefined ? {} : { generatedConfig: this.generatedConfig }),
        }),
      onLine: (line) => {
        this.logLines.push({ at: Date.now(), line });
        if (this.logLines.length > STDERR_KEEP) this.logLines.shift();
        this.emit('log', line);
      },
    });
  }

  /** Starts a master and supervises it until it is gone (exit, failed health, restart or stop). */
  private async runMaster(socksPort: number): Promise<Outcome> {
    this.attempts++;
    this.restartRequested = false;
    const spawned = await this.spawnMaster(socksPort);
    if (spawned instanceof Error) return { type: 'spawn-error', error: spawned };
    const master = spawned;
    this.master = master;
    this.emit('spawn', { pid: master.pid, argv: master.argv });
    this.emitStatus();
    const stderr = (): string => master.lines.join('\n');
    const gone = master.exited.then(() => 'exit' as const);
    const stopOrRestart = (): Outcome | undefined =>
      this.stopRequested ? { type: 'stopped' } : this.restartRequested ? { type: 'restart' } : undefined;

    try {
      // ---- connecting: wait for the SOCKS data path, then the control socket
      const targets = this.probeTargets();
      let target = targets[0] ?? { host: '127.0.0.1', port: 22 };
      let targetIndex = 0;
      const readyBy = performance.now() + (this.options.readyTimeoutMs ?? 45_000);
      const abort = new AbortController();
      void gone.then(() => abort.abort());
      let ready = false;
      let lastReason = 'no answer yet';
      while (!ready) {
        if (master.exit !== undefined) {
          const special = stopOrRestart();
          if (special) return special;
          return { type: 'exit', exit: master.exit, stderr: stderr(), wasUp: false };
        }
        const special = stopOrRestart();
        if (special) {
          await this.killMaster(master, this.stopRequested);
          return special;
        }
        if (performance.now() > readyBy) {
          await this.killMaster(master, false);
          return { type: 'not-ready', reason: `route '${this.name}' not ready after ${this.options.readyTimeoutMs ?? 45_000} ms (last probe: ${lastReason})`, stderr: stderr() };
        }
        const probe = await probeSshBanner(socksPort, target, this.options.probeTimeoutMs ?? 5000, abort.signal);
        if (probe.ok) {
          ready = true;
          break;
        }
        lastReason = probe.reason;
        // The SOCKS server answered but the workstation could not reach this target (e.g. a
        // HostName only the ProxyCommand knows): try the next candidate.
        if (probe.reason.includes(REMOTE_CLOSED_REASON) && targets.length > 1) {
          targetIndex = (targetIndex + 1) % targets.length;
          target = targets[targetIndex] ?? target;
        }
        await within(gone, 200);
      }
      if (this.multiplexing) {
        const problem = await this.waitForControlSocket(master);
        if (problem !== undefined) {
          if (master.exit === undefined) await this.killMaster(master, false);
          const special = stopOrRestart();
          if (special) return special;
          return { type: 'not-ready', reason: `route '${this.name}': ${problem}`, stderr: stderr() };
        }
        await this.reapplyForwards();
      }
      if (master.exit !== undefined) return { type: 'exit', exit: master.exit, stderr: stderr(), wasUp: false };
      const special = stopOrRestart();
      if (special) {
        await this.killMaster(master, this.stopRequested);
        return special;
      }

      // ---- up (lastError stays: it is the last failure, also after a recovery)
      this.portRetries = 0;
      this.setState('up');
      this.armUpReset();
      const interval = this.options.healthIntervalMs ?? 10_000;
      const needed = this.options.probeFailures ?? 2;
      let failures = 0;
      for (;;) {
        await within(gone, failures > 0 ? 0 : interval);
        if (master.exit !== undefined) {
          const special2 = stopOrRestart();
          if (special2) return special2;
          return { type: 'exit', exit: master.exit ?? (await master.exited), stderr: stderr(), wasUp: true };
        }
        const special2 = stopOrRestart();
        if (special2) {
          await this.killMaster(master, this.stopRequested);
          return special2;
        }
        const probe = await probeSshBanner(socksPort, target, this.options.probeTimeoutMs ?? 5000, abort.signal);
        if (master.exit !== undefined) continue;
        if (probe.ok) {
          failures = 0;
          continue;
        }
        failures++;
        this.logLines.push({ at: Date.now(), line: `[ecflow-remote] health probe failed (${failures}/${needed}): ${probe.reason}` });
        if (failures >= needed) {
          await this.killMaster(master, false);
          const special3 = stopOrRestart();
          if (special3) return special3;
          return { type: 'health', reason: `health probe through SOCKS to ${formatTarget(target)} failed ${failures}× : ${probe.reason}`, stderr: stderr() };
        }
      }
    } finally {
      if (this.upResetTimer) clearTimeout(this.upResetTimer);
      this.upResetTimer = undefined;
    }
  }

  /** Polls `ssh -O check` (control socket ready) for up to 5 s. Returns a problem or undefined. */
  private async waitForControlSocket(master: Master): Promise<string | undefined> {
    const controlPath = this.controlPath;
    if (controlPath === undefined) return 'no control path';
    let last = '';
    for (let i = 0; i < 25; i++) {
      if (master.exit !== undefined) return 'the master exited';
      const r = await runControl(controlPath, 'check', undefined, this.muxOptions());
      if (r.code === 0) return undefined;
      last = r.stderr.trim();
      await sleep(200);
    }
    return `the control socket ${controlPath} does not answer (${last})`;
  }

  /** After a reconnect: the registry's forwards on the new master (another local port if needed). */
  private async reapplyForwards(): Promise<void> {
    const controlPath = this.controlPath;
    if (controlPath === undefined) return;
    for (const entry of this.registry.list()) {
      let problem = await muxAddForward(controlPath, entry, this.muxOptions());
      if (problem === undefined) continue;
      const localPort = await pickLocalPort();
      const moved: ForwardEntry = { ...entry, localPort };
      problem = await muxAddForward(controlPath, moved, this.muxOptions());
      if (problem === undefined) {
        this.registry.set(moved);
        this.emit('forward-moved', { remoteHost: entry.remoteHost, remotePort: entry.remotePort, from: entry.localPort, to: localPort });
      } else {
        this.logLines.push({ at: Date.now(), line: `[ecflow-remote] forward to ${entry.remoteHost}:${entry.remotePort} not restored: ${problem}` });
      }
    }
  }

  /** Without multiplexing: register, restart the master with the new -L list, check the port. */
  private async addFixedForward(remoteHost: string, remotePort: number, wanted?: number): Promise<number> {
    const localPort = wanted ?? (await pickLocalPort());
    this.registry.set({ localPort, remoteHost, remotePort });
    try {
      await this.restartAndWait();
    } catch (e) {
      this.registry.delete(remoteHost, remotePort);
      throw e;
    }
    const entry = this.registry.get(remoteHost, remotePort);
    if (entry === undefined || !(await localPortAccepts(entry.localPort))) {
      this.registry.delete(remoteHost, remotePort);
      throw new EcflowError(ErrorCode.CONNECT, `route '${this.name}': the forward to ${remoteHost}:${remotePort} does not accept connections`);
    }
    this.emitStatus();
    return entry.localPort;
  }

  /** Non-multiplexing: a fixed forward's local port was taken; give it another one. */
  private async moveForward(port: number): Promise<void> {
    const entry = this.registry.list().find((f) => f.localPort === port);
    if (entry === undefined) return;
    const to = await pickLocalPort();
    this.registry.set({ ...entry, localPort: to });
    this.emit('forward-moved', { remoteHost: entry.remoteHost, remotePort: entry.remotePort, from: port, to });
  }

  /** Restarts the master (new argv) and waits until the route is up again. */
  private async restartAndWait(): Promise<void> {
    const old = this.master;
    if (old !== undefined && old.exit === undefined && this.stateValue !== 'up') this.restartMaster(); // still connecting with the old argv
    else if (old !== undefined && old.exit === undefined) {
      const left = new Promise<void>((resolve) => {
        const onState = (s: RouteStatus): void => {
          if (s.state === 'up') return;
          this.off('state', onState);
          resolve();
        };
        this.on('state', onState);
      });
      this.restartMaster();
      await left;
    }
    await this.waitUntilUp();
  }

  private restartMaster(): void {
    const master = this.master;
    if (master === undefined || master.exit !== undefined) return;
    this.restartRequested = true;
    void this.killMaster(master, false);
  }

  /** `-O exit` (when stopping), then SIGTERM, then SIGKILL, each with a short wait (ssh-master.ts). */
  private killMaster(master: Master, graceful: boolean): Promise<void> {
    // Only a stop waits for the whole group; a reconnect goes ahead (the group is ended anyway).
    return stopMaster(master, graceful ? this.controlPath : undefined, this.muxOptions(), graceful);
  }

  /**
   * Where the probe may go: the destination's own sshd as `ssh -G` names it, then the same port on
   * the workstation's loopback (for a HostName that only a ProxyCommand understands).
   */
  private probeTargets(): ConnectTarget[] {
    if (this.options.probeTarget !== undefined) return [this.options.probeTarget];
    const destination = this.resolved?.[0];
    const port = destination?.port ?? 22;
    const host = destination?.hostname || this.route.destination.replace(/^.*@/, '');
    return host === '127.0.0.1' ? [{ host, port }] : [{ host, port }, { host: '127.0.0.1', port }];
  }

  private armUpReset(): void {
    if (this.upResetTimer) clearTimeout(this.upResetTimer);
    this.upResetTimer = setTimeout(() => this.backoff.reset(), this.options.upResetMs ?? 60_000);
    this.upResetTimer.unref();
  }

  /** `<runtime dir>/<id>.owner` (see ssh-orphans.ts), once prepared. */
  private ownerPath(): string | undefined {
    return this.runtimeDir === undefined || this.id === undefined ? undefined : ownerFile(this.runtimeDir, this.id);
  }

  private muxOptions(): { ssh: string; env: NodeJS.ProcessEnv } {
    return { ssh: this.ssh, env: this.env };
  }

  // ------------------------------------------------------------------ certificates

  private onCertificateChange(change: CertificateChange, cert: CertificateInfo | undefined, warning: string | undefined): void {
    this.emitStatus();
    const status = this.certificateStatus();
    if (warning !== undefined && status !== undefined && (change === 'warning' || change === 'found' || change === 'changed')) {
      this.emit('certificate-warning', { message: warning, certificate: status });
    }
    // A new valid certificate after a refused login: go again at once.
    if ((change === 'changed' || change === 'found') && cert !== undefined && this.certificates.usable()) {
      if (this.stateValue === 'needs-login' || (this.stateValue === 'backoff' && this.lastErrorValue?.kind === 'auth')) {
        this.backoff.reset();
        this.wake();
      }
    }
  }

  private certificateStatus(): RouteCertificateStatus | undefined {
    const cert = this.certificates.current;
    if (cert === undefined) return undefined;
    const warning = this.certificates.warning;
    return {
      path: cert.path,
      source: cert.source,
      validFrom: cert.validFrom?.toISOString() ?? null,
      validTo: cert.validTo?.toISOString() ?? null,
      expired: cert.validTo !== null && cert.validTo.getTime() <= Date.now(),
      ...(warning === undefined ? {} : { warning }),
    };
  }

  // ------------------------------------------------------------------ helpers

  /** The newest "channel N: open failed: …" reason logged since `since`. */
  private openFailureSince(since: number): string | undefined {
    for (let i = this.logLines.length - 1; i >= 0; i--) {
      const entry = this.logLines[i];
      if (entry === undefined || entry.at < since - 50) break;
      const m = /^channel \d+: open failed: (.*)$/.exec(entry.line);
      if (m) return m[1];
    }
    return undefined;
  }

  private unavailableError(detail?: string): EcflowError {
    const state = this.stateValue;
    const reason = this.lastErrorValue?.message;
    let text: string;
    if (state === 'needs-login') text = reason ?? `route '${this.name}' needs a new login`;
    else if (state === 'failed') text = reason ?? `route '${this.name}' failed`;
    else if (state === 'idle') text = `route '${this.name}' is not started`;
    else text = `route '${this.name}' is ${state}${detail === undefined ? '' : ` (${detail})`}${reason === undefined ? '' : `: ${reason}`}`;
    return new EcflowError(ErrorCode.CONNECT, text);
  }

  private setError(kind: SshFailureKind, message: string, stderrTail: string, failure?: SshFailure): void {
    this.lastErrorValue = {
      kind,
      message,
      stderrTail,
      at: new Date().toISOString(),
      ...(failure?.hop === undefined ? {} : { hop: failure.hop }),
      ...(failure?.fingerprint === undefined ? {} : { fingerprint: failure.fingerprint }),
    };
  }

  private setState(state: RouteState): void {
    if (state !== 'backoff') this.nextAttemptAt = undefined;
    if (state === this.stateValue && state !== 'backoff') {
      this.emitStatus();
      return;
    }
    this.stateValue = state;
    this.sinceValue = new Date();
    const status = this.status();
    this.emit('state', status);
    this.emit('status', status);
  }

  private emitStatus(): void {
    this.emit('status', this.status());
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      this.wakers.push(done);
    });
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }
}

/** The last {@link TAIL_LINES} lines of a stderr text. */
function tail(text: string): string {
  return text.split('\n').filter((l) => l.trim() !== '').slice(-TAIL_LINES).join('\n');
}
