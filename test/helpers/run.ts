/**
 * Running real programs from integration tests: one-shot commands with captured output and a
 * timeout, and a registry of long-running server PIDs that are SIGKILLed when the test process
 * exits (normally, by an uncaught error, or by SIGINT/SIGTERM), so no server outlives a failed test.
 *
 * Long-running servers should also be started through `setpriv --pdeathsig KILL` (see
 * {@link setprivPrefix}) so that the kernel kills them even if this process is SIGKILLed.
 *
 * @example
 *   const r = await runCommand('openssl', ['version']);
 *   assert.equal(r.code, 0, r.stderr);
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

export interface RunResult {
  /** Exit code, or null when killed by a signal (e.g. on timeout). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the command was killed because it ran past `timeoutMs`. */
  timedOut: boolean;
  /** Wall time in milliseconds. */
  ms: number;
}

export interface RunOptions {
  /** Complete environment for the child (not merged with process.env). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill (SIGKILL) after this many ms. Default 60 s. */
  timeoutMs?: number;
  /** Written to stdin, which is then closed. Default: stdin is /dev/null. */
  input?: string;
}

/** Runs a program to completion, capturing stdout/stderr as UTF-8. Never rejects on exit codes. */
export function runCommand(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    if (options.input !== undefined) child.stdin?.end(options.input);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${e.message}`, { cause: e }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        ms: performance.now() - started,
      });
    });
  });
}

/** Like {@link runCommand} but throws (with both outputs) unless the exit code is 0. */
export async function runOk(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const r = await runCommand(cmd, args, options);
  if (r.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (code ${r.code}, signal ${r.signal}${r.timedOut ? ', timed out' : ''})\n` +
        `stdout: ${r.stdout}\nstderr: ${r.stderr}`,
    );
  }
  return r;
}

/**
 * True while `pid` is a running process. A zombie (exited, not yet reaped — e.g. a child that was
 * re-parented to an init that reaps lazily) counts as dead.
 */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ..." — comm may contain spaces/parens, so look after the last ')'.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

const guarded = new Set<number>();
let hooked = false;

function killGuarded(): void {
  for (const pid of guarded) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  guarded.clear();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killGuarded);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killGuarded();
      // Unless someone else also handles the signal, exit the way the default action would
      // (status 128+n) — through process.exit, so the other 'exit' hooks (temp dirs) run too.
      if (process.listenerCount(sig) === 1) process.exit(128 + (constants.signals[sig] ?? 15));
    };
    process.on(sig, onSignal);
  }
}

/** Registers a PID to be SIGKILLed when this process exits (unless {@link unguardPid} first). */
export function guardPid(pid: number): void {
  hook();
  guarded.add(pid);
}

/** Forgets a PID registered with {@link guardPid} (call once the process is known to be gone). */
export function unguardPid(pid: number): void {
  guarded.delete(pid);
}

/**
 * `setpriv` arguments that (1) make the kernel SIGKILL the program when this Node process dies
 * (PR_SET_PDEATHSIG, survives even a SIGKILL of the test process) and (2) optionally switch to
 * another OS user (real+effective uid/gid and that user's supplementary groups). setpriv execs the
 * program, so the spawned PID is the program's PID.
 *
 * @example spawn('setpriv', [...setprivPrefix(await ensureUser('ecfop')), 'ecflow_server'])
 */
export function setprivPrefix(asUser?: { uid: number; gid: number }): string[] {
  const args = ['--pdeathsig', 'KILL'];
  if (asUser !== undefined && asUser.uid !== process.getuid?.()) {
    args.push(`--reuid=${asUser.uid}`, `--regid=${asUser.gid}`, '--init-groups');
  }
  args.push('--');
  return args;
}
