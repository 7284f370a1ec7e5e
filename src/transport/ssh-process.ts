/**
 * Running OpenSSH programs without a shell: one-shot commands (`ssh -G`, `ssh -O …`,
 * `ssh-keygen -L`, `ssh-add -L`) with a timeout, and the bookkeeping for long-running masters so
 * that nothing we started outlives us (connectivity-notes.md §5.2 "Cleanup").
 *
 * Masters are spawned in their own process group on POSIX (`detached`), so that a signal to the
 * group also reaches the ProxyJump child (`ssh -W …`) or a ProxyCommand (`tsh proxy ssh`). A
 * process 'exit' hook sends SIGTERM to every group still registered and unlinks their control
 * sockets. SIGINT/SIGTERM/SIGHUP handlers do the same, then step aside; when no other handler is
 * installed for the signal they re-raise it so the process still ends the default way (if the
 * application has its own handler, it decides when to exit and should call `RouteSupervisor.stop()`).
 */

import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

export interface ProgramResult {
  /** Exit code, or null when killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when it was killed after `timeoutMs`. */
  readonly timedOut: boolean;
  /** Set when the program could not be started at all (e.g. ENOENT: not installed). */
  readonly spawnError?: NodeJS.ErrnoException;
}

export interface ProgramOptions {
  /** Kill (SIGKILL) after this many ms. Default 10 000. */
  readonly timeoutMs?: number;
  /** Written to stdin (which is then closed); default: stdin is the null device. */
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs a program to completion and captures its output. Never rejects.
 *
 * @example
 * const r = await runProgram('ssh', ['-G', 'ws']);
 * if (r.code === 0) parseResolvedConfig(r.stdout);
 */
export function runProgram(file: string, args: readonly string[], options: ProgramOptions = {}): Promise<ProgramResult> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(file, args, {
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        env: options.env ?? process.env,
        windowsHide: true,
      });
    } catch (e) {
      resolve({ code: null, signal: null, stdout: '', stderr: '', timedOut: false, spawnError: e as NodeJS.ErrnoException });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 10_000);
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    if (options.input !== undefined) {
      child.stdin?.on('error', () => undefined); // EPIPE when the program does not read
      child.stdin?.end(options.input);
    }
    child.once('error', (e) => {
      spawnError = e;
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        ...(spawnError === undefined ? {} : { spawnError }),
      });
    });
  });
}

/** Whether masters get their own process group (POSIX only; on Windows `detached` means a new console). */
export const USE_PROCESS_GROUPS = process.platform !== 'win32';

/**
 * Sends `signal` to the process group led by `pid` (POSIX) or to `pid` alone. Returns false when
 * nothing was there any more.
 */
export function signalProcess(pid: number, signal: NodeJS.Signals, group = USE_PROCESS_GROUPS): boolean {
  if (group) {
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      // not a group leader (or gone): fall back to the PID
    }
  }
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

interface Tracked {
  readonly group: boolean;
  readonly files: readonly string[];
}

const tracked = new Map<number, Tracked>();
let hooked = false;

function cleanupAll(): void {
  for (const [pid, entry] of tracked) {
    signalProcess(pid, 'SIGTERM', entry.group);
    for (const file of entry.files) {
      try {
        rmSync(file, { force: true });
      } catch {
        // best effort at exit
      }
    }
  }
  tracked.clear();
}

const SIGNALS: readonly NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
let signalsHooked = false;

function onSignal(signal: NodeJS.Signals): void {
  cleanupAll();
  // Our work is done: step aside, so a second signal reaches only the application's handlers.
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  signalsHooked = false;
  // Nobody else handles it: end the process the default way by re-raising the signal.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function hook(): void {
  if (!hooked) {
    hooked = true;
    process.on('exit', cleanupAll);
  }
  if (!signalsHooked) {
    signalsHooked = true;
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
}

/**
 * Remembers a running master: at process exit its group gets SIGTERM and `files` (control socket,
 * generated config) are removed. Call {@link untrackProcess} once it is gone.
 */
export function trackProcess(pid: number, files: readonly string[], group = USE_PROCESS_GROUPS): void {
  hook();
  tracked.set(pid, { group, files });
}

export function untrackProcess(pid: number): void {
  tracked.delete(pid);
}

/** PIDs registered with {@link trackProcess} (for tests and diagnostics). */
export function trackedProcesses(): number[] {
  return [...tracked.keys()];
}
