/**
 * Starts a REAL ecflow_server (Debian package, 5.9.2) for an integration test, and runs the REAL
 * ecflow_client against it.
 *
 * Layout of one server (all under one temp dir, removed by `stop()` or at process exit):
 *   <base>/ecf_home/                 ECF_HOME and the server's cwd, owned by the server user:
 *       <host>.<port>.ecf.log        server log (`logFile`)
 *       <host>.<port>.ecf.check      checkpoint (`checkPtFile`), .check.b backup
 *       <host>.<port>.ecf.lists      white list (ECF_LISTS, absolute path in the env)
 *       <host>.<port>.ecf.passwd / .ecf.custom_passwd   (ECF_PASSWD / ECF_CUSTOM_PASSWD)
 *   <base>/home/.ecflowrc/ssl/       the server's HOME: server.crt, server.key, dh2048.pem
 *   <base>/client-home/              default HOME of `ecflowClient` (trusts server.crt if ssl)
 *   <base>/client-files/             files made by `clientFile()` (client-side passwd files …)
 *   <base>/server.stdout             the server's stdout+stderr (it prints its environment there)
 *
 * Facts this relies on (shared/ecflow-protocol.md §12, §13, §16, and checked on 5.9.2):
 * - the server ignores SIGTERM: `stop()` sends the terminate command (as the server's own user,
 *   who always has write access), then SIGKILLs the PID after a short grace;
 * - it starts HALTED (no job submission), `halted: false` sends `--restart`;
 * - it is launched through `setpriv --pdeathsig KILL`, so it dies with the test process even on
 *   SIGKILL; an exit hook also SIGKILLs every PID still running;
 * - it only accepts ports 1024–49151; a port lost to a race ("Address already in use") is retried;
 * - ecflow_client retries a refused connection for ~10 s, so readiness is: our PID listens on the
 *   port (/proc), then `ecflow_client --ping` gets an answer.
 *
 * @example
 *   const srv = await startEcflowServer({ defs: 'suite s\n  task t\nendsuite\n' });
 *   try {
 *     const r = await srv.ecflowClient(['--get']);
 *     assert.equal(r.code, 0, r.stderr);
 *   } finally {
 *     await srv.stop();
 *   }
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  assertPasswdUsable,
  fillPlaceholders,
  PASSWD_VERSION,
  WHITE_LIST_VERSION,
  withVersionLine,
} from './ecflow-files.js';
import { applyEnv, cleanEnv, type EnvPatch } from './env.js';
import { listensOn } from './listen.js';
import { chownTree, currentUser, ensureUser } from './os-user.js';
import { freePort } from './ports.js';
import { guardPid, isAlive, type RunResult, runCommand, setprivPrefix, unguardPid } from './run.js';
import { makeTempDir, removeTempDir } from './tmp.js';
import { installClientCert, makeServerTlsFiles } from './tls.js';

export type { EnvPatch } from './env.js';

export interface EcflowServerOptions {
  /** Host name clients use. Default 'localhost' (ecflow_client maps it to the host name for files). */
  host?: 'localhost' | '127.0.0.1';
  /** Fixed port; default: a random free port (retried if another process takes it first). */
  port?: number;
  /** Content of the white list (ECF_LISTS); a `4.4.14` version line is added if missing. */
  whiteList?: string;
  /** Content of the server's ECF_PASSWD file (`user host port password` lines, `{{HOST}}`/`{{PORT}}`). */
  passwd?: string;
  /** Content of the server's ECF_CUSTOM_PASSWD file (same format). */
  customPasswd?: string;
  /** TLS: make a self-signed cert/key/DH in the server's ~/.ecflowrc/ssl and start with --ssl. */
  ssl?: boolean;
  /** Run the server as this OS user (created if missing; needs root). Default: the current user. */
  runAs?: string;
  /** Extra environment for the server (`undefined` removes). */
  env?: EnvPatch;
  /** Defs text loaded (and all suites begun) with the real ecflow_client after start. */
  defs?: string;
  /** Keep the server HALTED (default true: no jobs are submitted). false → `--restart`. */
  halted?: boolean;
  /** Readiness timeout, default 20 s. */
  startTimeoutMs?: number;
}

export interface ClientOptions {
  /** Run ecflow_client as this OS user (via setpriv). Default: the current user. */
  asUser?: string;
  /** Default 30 s (a refused connection alone costs ecflow_client ~10 s of retries). */
  timeoutMs?: number;
}

export interface EcflowServer {
  /** What clients connect to. */
  readonly host: 'localhost' | '127.0.0.1';
  readonly port: number;
  /** gethostname(): the name the server uses in file names and passwd-file host checks. */
  readonly hostName: string;
  readonly ecfHome: string;
  /** The server's HOME (holds .ecflowrc/ssl for TLS). */
  readonly home: string;
  /** Default HOME for `ecflowClient` (contains .ecflowrc/ssl/server.crt when ssl). */
  readonly clientHome: string;
  readonly pid: number;
  readonly logFile: string;
  readonly checkPtFile: string;
  readonly stdoutFile: string;
  /** OS user running the server (always has write access). */
  readonly serverUser: string;
  readonly ssl: boolean;
  /** Server certificate (PEM file) to trust, when ssl. */
  readonly certPath: string | undefined;
  readonly whiteListFile: string | undefined;
  readonly passwdFile: string | undefined;
  readonly customPasswdFile: string | undefined;
  /** Replaces `{{HOST}}` and `{{PORT}}` with this server's host name and port. */
  fill(text: string): string;
  /**
   * Writes a file readable by every user under `<base>/client-files/` (placeholders filled) and
   * returns its path. `passwd: true` adds the `4.5.0` version line if missing.
   */
  clientFile(name: string, content: string, options?: { passwd?: boolean }): Promise<string>;
  /**
   * Runs the real ecflow_client against this server. Its environment: the test's environment
   * without ECF_* variables, plus ECF_HOST/ECF_PORT of this server, HOME = `clientHome`, and
   * ECF_SSL=1 for a TLS server; then `env` (`undefined` removes, e.g. `{ ECF_SSL: undefined }`).
   */
  ecflowClient(args: readonly string[], env?: EnvPatch, options?: ClientOptions): Promise<RunResult>;
  /** The last lines of the server log and of its stdout, for error messages. */
  logTail(lines?: number): string;
  /** True while the server process runs. */
  alive(): boolean;
  /** Terminates (then SIGKILLs) the server and removes its files. Idempotent. */
  stop(): Promise<void>;
}

/** Path of a program, preferring an env override, then a Debian path, then PATH lookup. */
function program(envName: string, debianPath: string, name: string): string {
  const override = process.env[envName];
  if (override) return override;
  return existsSync(debianPath) ? debianPath : name;
}
export const ECFLOW_SERVER_BIN = program('ECFLOW_SERVER_BIN', '/usr/sbin/ecflow_server', 'ecflow_server');
export const ECFLOW_CLIENT_BIN = program('ECFLOW_CLIENT_BIN', '/usr/bin/ecflow_client', 'ecflow_client');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tailOf(path: string, lines: number): string {
  try {
    const all = readFileSync(path, 'utf8').split('\n');
    return all.slice(-lines - 1).join('\n');
  } catch {
    return '(missing)';
  }
}

/** A reply, even a refusal, proves the server is up and decoding requests. */
function serverAnswered(r: RunResult): boolean {
  return r.code === 0 || /authentication failed/.test(r.stdout + r.stderr);
}

/**
 * Starts ecflow_server and waits until it answers `ecflow_client --ping`.
 * See the module comment for the files it creates and how it is stopped.
 */
export async function startEcflowServer(options: EcflowServerOptions = {}): Promise<EcflowServer> {
  const attempts = options.port === undefined ? 4 : 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = options.port ?? (await freePort());
    try {
      return await startOnce(options, port);
    } catch (e) {
      lastError = e;
      if (!(e instanceof PortInUseError)) throw e;
    }
  }
  throw lastError;
}

class PortInUseError extends Error {}

async function startOnce(options: EcflowServerOptions, port: number): Promise<EcflowServer> {
  const started = performance.now();
  const hostName = hostname();
  const host = options.host ?? 'localhost';
  const me = currentUser();
  const user = options.runAs === undefined || options.runAs === me.name ? me : await ensureUser(options.runAs);
  const otherUser = user.uid !== me.uid;
  const fill = (text: string): string => fillPlaceholders(text, port, hostName);

  const base = await makeTempDir('ecflow-server');
  await chmod(base, 0o711); // other users (server / client as another user) must traverse it
  const ecfHome = join(base, 'ecf_home');
  const home = join(base, 'home');
  const clientHome = join(base, 'client-home');
  const clientFiles = join(base, 'client-files');
  for (const d of [ecfHome, home, clientHome, clientFiles]) await mkdir(d, { mode: 0o755 });
  const prefix = `${hostName}.${port}`;
  const logFile = join(ecfHome, `${prefix}.ecf.log`);
  const checkPtFile = join(ecfHome, `${prefix}.ecf.check`);
  const stdoutFile = join(base, 'server.stdout');

  const serverEnv: EnvPatch = {
    HOME: home,
    USER: user.name,
    LOGNAME: user.name,
    ECF_HOME: ecfHome,
    ECF_PORT: String(port),
  };
  let whiteListFile: string | undefined;
  let passwdFile: string | undefined;
  let customPasswdFile: string | undefined;
  if (options.whiteList !== undefined) {
    whiteListFile = join(ecfHome, `${prefix}.ecf.lists`);
    await writeFile(whiteListFile, withVersionLine(fill(options.whiteList), WHITE_LIST_VERSION), { mode: 0o644 });
    serverEnv['ECF_LISTS'] = whiteListFile;
  }
  if (options.passwd !== undefined) {
    const text = withVersionLine(fill(options.passwd), PASSWD_VERSION);
    assertPasswdUsable('passwd (ECF_PASSWD)', text, port, hostName);
    passwdFile = join(ecfHome, `${prefix}.ecf.passwd`);
    await writeFile(passwdFile, text, { mode: 0o600 });
    serverEnv['ECF_PASSWD'] = passwdFile;
  }
  if (options.customPasswd !== undefined) {
    const text = withVersionLine(fill(options.customPasswd), PASSWD_VERSION);
    assertPasswdUsable('customPasswd (ECF_CUSTOM_PASSWD)', text, port, hostName);
    customPasswdFile = join(ecfHome, `${prefix}.ecf.custom_passwd`);
    await writeFile(customPasswdFile, text, { mode: 0o600 });
    serverEnv['ECF_CUSTOM_PASSWD'] = customPasswdFile;
  }
  let certPath: string | undefined;
  const ssl = options.ssl === true;
  if (ssl) {
    const tls = await makeServerTlsFiles(join(home, '.ecflowrc', 'ssl'));
    await chmod(tls.keyPath, 0o600);
    certPath = tls.certPath;
    await installClientCert(clientHome, await readFile(tls.certPath, 'utf8'));
    serverEnv['ECF_SSL'] = '1';
  }
  if (options.defs !== undefined) await writeFile(join(ecfHome, 'harness.def'), options.defs, { mode: 0o644 });
  if (otherUser) {
    await chownTree(ecfHome, user);
    await chownTree(home, user);
  }

  const env = applyEnv(applyEnv(cleanEnv(), serverEnv), options.env);
  const outFd = openSync(stdoutFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(
      'setpriv',
      [...setprivPrefix(otherUser ? user : undefined), ECFLOW_SERVER_BIN, '--port', String(port), ...(ssl ? ['--ssl'] : [])],
      { cwd: ecfHome, env, stdio: ['ignore', outFd, outFd] },
    );
  } finally {
    closeSync(outFd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    await removeTempDir(base);
    throw new Error('could not spawn setpriv/ecflow_server (is util-linux installed?)');
  }
  guardPid(pid);
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      unguardPid(pid);
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  const alive = (): boolean => !exited && isAlive(pid);
  const logTail = (lines = 30): string =>
    `--- ${logFile} (last ${lines} lines)\n${tailOf(logFile, lines)}\n--- ${stdoutFile}\n${tailOf(stdoutFile, lines)}`;

  const clientEnvFor = (runAsServerUser: boolean): NodeJS.ProcessEnv =>
    applyEnv(cleanEnv(), {
      HOME: runAsServerUser ? home : clientHome,
      ECF_HOST: host,
      ECF_PORT: String(port),
      ECF_SSL: ssl ? '1' : undefined,
    });

  const ecflowClient = async (
    args: readonly string[],
    envPatch?: EnvPatch,
    clientOptions: ClientOptions = {},
  ): Promise<RunResult> => {
    const asUser =
      clientOptions.asUser === undefined || clientOptions.asUser === me.name ? undefined : await ensureUser(clientOptions.asUser);
    const cmdEnv = applyEnv(clientEnvFor(false), {
      ...(asUser ? { USER: asUser.name, LOGNAME: asUser.name } : {}),
      ...envPatch,
    });
    const timeoutMs = clientOptions.timeoutMs ?? 30_000;
    if (asUser === undefined) return runCommand(ECFLOW_CLIENT_BIN, args, { env: cmdEnv, cwd: clientHome, timeoutMs });
    return runCommand('setpriv', [...setprivPrefix(asUser), ECFLOW_CLIENT_BIN, ...args], { env: cmdEnv, cwd: clientHome, timeoutMs });
  };

  /** ecflow_client as the server's own user, with the server's passwd file as its ECF_PASSWD. */
  const asServerUser = (args: readonly string[], timeoutMs: number): Promise<RunResult> => {
    const cmdEnv = applyEnv(clientEnvFor(true), {
      USER: user.name,
      LOGNAME: user.name,
      ...(passwdFile ? { ECF_PASSWD: passwdFile } : {}),
    });
    return runCommand('setpriv', [...setprivPrefix(otherUser ? user : undefined), ECFLOW_CLIENT_BIN, ...args], {
      env: cmdEnv,
      cwd: ecfHome,
      timeoutMs,
    });
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (alive()) {
        const r = await asServerUser(['--terminate=yes'], 5000);
        if (r.code === 0) await Promise.race([exitPromise, sleep(2000)]);
        if (alive()) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone meanwhile
          }
          await Promise.race([exitPromise, sleep(5000)]);
        }
      }
      unguardPid(pid);
      await removeTempDir(base);
    })();
    return stopping;
  };

  const handle: EcflowServer = {
    host,
    port,
    hostName,
    ecfHome,
    home,
    clientHome,
    pid,
    logFile,
    checkPtFile,
    stdoutFile,
    serverUser: user.name,
    ssl,
    certPath,
    whiteListFile,
    passwdFile,
    customPasswdFile,
    fill,
    async clientFile(name, content, fileOptions = {}) {
      const path = join(clientFiles, name);
      const text = fileOptions.passwd ? withVersionLine(fill(content), PASSWD_VERSION) : fill(content);
      await writeFile(path, text, { mode: 0o644 });
      return path;
    },
    ecflowClient,
    logTail,
    alive,
    stop,
  };

  // Readiness: our PID listens on the port, then the real client gets an answer.
  const deadline = started + (options.startTimeoutMs ?? 20_000);
  try {
    let lastPing: RunResult | undefined;
    for (;;) {
      if (!alive()) {
        await exitPromise;
        const out = tailOf(stdoutFile, 40);
        if (/Address already in use/.test(out)) throw new PortInUseError(`ecflow_server: port ${port} already in use\n${out}`);
        throw new Error(`ecflow_server exited during start-up (port ${port}).\n${logTail()}`);
      }
      if (performance.now() > deadline) {
        throw new Error(
          `ecflow_server on port ${port} not ready after ${options.startTimeoutMs ?? 20_000} ms` +
            (lastPing ? `; last ping: code ${lastPing.code} ${lastPing.stderr.trim()}` : '') +
            `\n${logTail()}`,
        );
      }
      if (await listensOn(pid, port)) {
        lastPing = await asServerUser(['--ping'], 10_000);
        if (serverAnswered(lastPing)) break;
      }
      await sleep(50);
    }
    if (options.defs !== undefined) {
      for (const args of [['--load=' + join(ecfHome, 'harness.def')], ['--begin']]) {
        const r = await asServerUser(args, 120_000);
        if (r.code !== 0) throw new Error(`ecflow_client ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
      }
    }
    if (options.halted === false) {
      const r = await asServerUser(['--restart'], 30_000);
      if (r.code !== 0) throw new Error(`ecflow_client --restart failed: ${r.stderr}${r.stdout}`);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return handle;
}
