/**
 * Running programs inside a lab namespace, keeping the real PID.
 *
 *   ip netns exec <ns> [unshare --uts -- sh -c 'hostname "$0" && exec "$@"' <name>]
 *      setpriv --pdeathsig KILL [--reuid …] -- <program> …
 *
 * Every step EXECs the next one (ip netns exec does not fork unless -b/-all; unshare without
 * --fork; `sh -c '… && exec "$@"'`; setpriv), so the PID Node gets from spawn() is the PID of
 * <program> itself: signals and /proc lookups reach the real server. Checked on iproute2 6.1 and
 * util-linux 2.38: `sh -c 'echo $$; exec ip netns exec ns … sh -c "echo \$\$"'` prints the same PID.
 * setpriv comes last, after the root-only steps (ip netns exec needs root); its --pdeathsig
 * survives its own uid change (the program dies with the test process, also as another user).
 * The optional UTS namespace gives a centre host its own gethostname(), e.g. ecflow_server on
 * "machine1" names its files machine1.4141.ecf.* and checks passwd lines for host machine1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { type EnvPatch, applyEnv, cleanEnv } from '../env.js';
import type { OsUser } from '../os-user.js';
import { guardPid, isAlive, type RunResult, runCommand, setprivPrefix, unguardPid } from '../run.js';

export interface NsExecOptions {
  /** Give the program its own UTS namespace with this host name. */
  hostname?: string;
  /** Run as this OS user (setpriv --reuid/--regid/--init-groups); default root. */
  asUser?: OsUser;
}

/** The argv (starting with 'ip') that runs `argv` inside namespace `ns`. */
export function nsArgv(ns: string, argv: readonly string[], options: NsExecOptions = {}): string[] {
  const uts =
    options.hostname === undefined ? [] : ['unshare', '--uts', '--', 'sh', '-c', 'hostname "$0" && exec "$@"', options.hostname];
  return ['ip', 'netns', 'exec', ns, ...uts, 'setpriv', ...setprivPrefix(options.asUser), ...argv];
}

/** Environment for programs in the lab: the test's env without ECF_*, plus HOME/USER of `asUser`. */
export function labEnv(asUser: OsUser | undefined, patch?: EnvPatch): NodeJS.ProcessEnv {
  const base = applyEnv(cleanEnv(), asUser ? { HOME: asUser.home, USER: asUser.name, LOGNAME: asUser.name } : {});
  return applyEnv(base, patch);
}

export interface NsRunOptions extends NsExecOptions {
  env?: EnvPatch;
  cwd?: string;
  timeoutMs?: number;
  input?: string;
}

/** Runs a program to completion inside `ns` and captures its output (never rejects on exit codes). */
export function nsRun(ns: string, argv: readonly string[], options: NsRunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = nsArgv(ns, argv, options);
  return runCommand(cmd ?? 'ip', args, {
    env: labEnv(options.asUser, options.env),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(options.input === undefined ? {} : { input: options.input }),
  });
}

export interface Daemon {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** stdout+stderr of the program. */
  readonly outputFile: string;
  readonly exited: Promise<void>;
  alive(): boolean;
}

/**
 * Starts a long-running program inside `ns` with its output in `outputFile`. The PID is guarded
 * (SIGKILLed if the test process exits) and is the program's own PID (see the module comment).
 */
export function spawnDaemon(
  name: string,
  ns: string,
  argv: readonly string[],
  options: NsExecOptions & { env?: EnvPatch; cwd: string; outputFile: string },
): Daemon {
  const [cmd, ...args] = nsArgv(ns, argv, options);
  const fd = openSync(options.outputFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(cmd ?? 'ip', args, { cwd: options.cwd, env: labEnv(options.asUser, options.env), stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn ${name}: ${argv.join(' ')}`);
  guardPid(pid);
  let done = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      done = true;
      unguardPid(pid);
      resolve();
    });
    child.once('error', () => {
      done = true;
      resolve();
    });
  });
  return { name, pid, child, outputFile: options.outputFile, exited, alive: () => !done && isAlive(pid) };
}
