/**
 * One OpenSSH master process: started in its own process group (POSIX), stderr read line by line
 * (the last lines are kept for classification, ssh-classify.ts), tracked for the process-exit hook
 * (ssh-process.ts), and stopped with `-O exit` → SIGTERM → SIGKILL (connectivity-notes.md §5.2
 * "Cleanup"). The state machine around it is ssh-route.ts.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { runControl, type MuxOptions } from './ssh-forwards.js';
import { signalProcess, trackProcess, untrackProcess, USE_PROCESS_GROUPS } from './ssh-process.js';

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Master {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly argv: readonly string[];
  /** The last stderr lines of this master. */
  readonly lines: string[];
  /** Resolves once the process exited and its stderr was read. */
  readonly exited: Promise<ExitInfo>;
  /** Set (before any other waiter on `exited` runs) once it exited. */
  exit: ExitInfo | undefined;
  /** Resolves once the rest of its process group (ssh -W, ProxyCommand) is gone too. */
  readonly groupGone: Promise<void>;
}

export interface StartMasterOptions {
  readonly ssh: string;
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Removed before the start (a stale socket makes OpenSSH disable multiplexing) and after the exit. */
  readonly controlPath: string | undefined;
  /** More files for the process-exit hook to remove. */
  readonly files: readonly string[];
  /** Called with the PID before it is tracked (e.g. to write an owner record). */
  readonly beforeTrack?: (pid: number) => void;
  readonly onLine?: (line: string) => void;
}

/** Lines of stderr kept per master. */
export const STDERR_KEEP = 200;

/** Waits for `promise` or `ms`, whichever comes first, without leaving a timer behind. */
export function within(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Starts a master. Resolves with an Error when it could not be started at all (e.g. ENOENT). */
export async function startMaster(options: StartMasterOptions): Promise<Master | Error> {
  const { controlPath } = options;
  if (controlPath !== undefined) rmSync(controlPath, { force: true });
  let child: ChildProcess;
  try {
    child = spawn(options.ssh, options.argv, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: options.env,
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
  let spawnError: Error | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (e) => {
      spawnError = e;
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => {
      // Give stderr a moment to drain (the -W child may hold the pipe a little longer).
      const done = (): void => resolve({ code, signal });
      if (child.stderr === null || child.stderr.closed) done();
      else {
        const t = setTimeout(done, 300);
        child.stderr.once('close', () => {
          clearTimeout(t);
          done();
        });
      }
    });
  });
  const pid = child.pid;
  if (pid === undefined) {
    await exited;
    return spawnError ?? new Error(`cannot start ${options.ssh}`);
  }
  options.beforeTrack?.(pid);
  trackProcess(pid, [...(controlPath === undefined ? [] : [controlPath]), ...options.files]);
  const lines: string[] = [];
  if (child.stderr) {
    const rl = createInterface({ input: child.stderr, crlfDelay: Number.POSITIVE_INFINITY });
    rl.on('line', (line) => {
      lines.push(line);
      if (lines.length > STDERR_KEEP) lines.shift();
      options.onLine?.(line);
    });
  }
  let groupGone: () => void = () => undefined;
  const master: Master = {
    child,
    pid,
    argv: options.argv,
    lines,
    exited,
    exit: undefined,
    groupGone: new Promise<void>((resolve) => {
      groupGone = resolve;
    }),
  };
  // Registered before anyone else waits on `exited`, so `master.exit` is set when they wake.
  void exited.then(async (exit) => {
    master.exit = exit;
    untrackProcess(pid);
    if (controlPath !== undefined) rmSync(controlPath, { force: true });
    await endGroup(pid); // leftovers of its group (ssh -W, ProxyCommand)
    groupGone();
  });
  return master;
}

/** True while any process of the group led by `pgid` exists (POSIX). */
function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to what is left of the master's group, SIGKILL after 1 s; resolves when it is empty. */
async function endGroup(pgid: number): Promise<void> {
  if (!USE_PROCESS_GROUPS || !groupExists(pgid)) return;
  signalProcess(pgid, 'SIGTERM');
  for (let waited = 0; waited < 2000 && groupExists(pgid); waited += 25) {
    if (waited === 1000) signalProcess(pgid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Ends a master: `-O exit` through `controlPath` when given (graceful stop), then SIGTERM, then
 * SIGKILL to its process group, each with a short wait. With `waitGroup`, also waits until the
 * rest of its group (ssh -W, ProxyCommand) is gone.
 */
export async function stopMaster(
  master: Master,
  controlPath: string | undefined,
  mux: MuxOptions = {},
  waitGroup = true,
): Promise<void> {
  const waitExit = async (ms: number): Promise<boolean> => {
    if (master.exit !== undefined) return true;
    await within(master.exited, ms);
    return master.exit !== undefined;
  };
  if (master.exit === undefined) {
    let done = false;
    if (controlPath !== undefined) {
      await runControl(controlPath, 'exit', undefined, { ...mux, timeoutMs: 3000 });
      done = await waitExit(2000);
    }
    if (!done) {
      signalProcess(master.pid, 'SIGTERM');
      if (!(await waitExit(2000))) {
        signalProcess(master.pid, 'SIGKILL');
        await waitExit(5000);
      }
    }
  }
  if (waitGroup) await within(master.groupGone, 3000);
}
