/**
 * Long-running programs in the lab's home namespace (an `ssh -N -D …` master, `ecflow-remote up`),
 * with their output collected and helpers to wait for a line or stop them.
 *
 * The PID is the program's own (ip netns exec and setpriv exec it; see ns-exec.ts). It is guarded:
 * SIGKILLed when the test process exits, and setpriv's --pdeathsig kills it even if the test
 * process is SIGKILLed. Anything it leaves behind in the namespace (an `ssh -f` that forked into
 * the background) is killed by the lab's stop().
 *
 * @example
 *   const p = spawnHomeProcess(ns.home, ['ssh', '-F', cfg, '-N', '-v', 'ws'], undefined, { cwd });
 *   await p.waitForOutput(/Entering interactive session/);
 *   await p.kill();
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import type { EnvPatch } from '../env.js';
import type { OsUser } from '../os-user.js';
import { guardPid, isAlive, unguardPid } from '../run.js';
import { labEnv, nsArgv } from './ns-exec.js';

export interface HomeSpawnOptions {
  /** Run as this local OS user (must exist) instead of root. */
  asUser?: string;
  /** Working directory; default the lab directory. */
  cwd?: string;
  /** 'pipe' keeps stdin open for writing (child.stdin); default 'ignore'. */
  stdin?: 'ignore' | 'pipe';
}

export interface HomeProcess {
  /** The program's own PID (ip netns exec and setpriv exec it, they do not fork). */
  readonly pid: number;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with stdout+stderr once they match `pattern`; rejects on exit or timeout (default 10 s). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** Sends `signal` (default SIGTERM) and waits for the exit; SIGKILL after `graceMs` (default 3 s). */
  kill(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

function lookupUserSync(name: string): OsUser {
  const f = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim().split(':');
  if (f.length < 7) throw new Error(`homeSpawn: no OS user '${name}'`);
  return { name: f[0] ?? name, uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '' };
}

const sleep = (ms: number): Promise<undefined> => new Promise((r) => setTimeout(() => r(undefined), ms));

/** Starts `argv` inside namespace `ns` (see the module comment). */
export function spawnHomeProcess(
  ns: string,
  argv: readonly string[],
  env: EnvPatch | undefined,
  options: HomeSpawnOptions & { cwd: string },
): HomeProcess {
  const asUser = options.asUser === undefined ? undefined : lookupUserSync(options.asUser);
  const [cmd, ...args] = nsArgv(ns, argv, asUser ? { asUser } : {});
  const child = spawn(cmd ?? 'ip', args, {
    env: labEnv(asUser, env),
    cwd: options.cwd,
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`homeSpawn: could not start ${argv.join(' ')}`);
  guardPid(pid);
  let out = '';
  let err = '';
  let done = false;
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const l of listeners) l();
  };
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString('utf8');
    notify();
  });
  child.stderr?.on('data', (b: Buffer) => {
    err += b.toString('utf8');
    notify();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => {
      done = true;
      unguardPid(pid);
      notify();
      resolve({ code, signal });
    });
  });
  return {
    pid,
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    alive: () => !done && isAlive(pid),
    waitForOutput(pattern, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const all = out + err;
          if (pattern.test(all)) {
            cleanup();
            resolve(all);
          } else if (done) {
            cleanup();
            reject(new Error(`${argv.join(' ')} exited before printing ${pattern}:\n${all}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} from ${argv.join(' ')} within ${ms} ms:\n${out + err}`));
        }, ms);
        const cleanup = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async kill(sig = 'SIGTERM', graceMs = 3000) {
      if (done) return;
      try {
        process.kill(pid, sig);
      } catch {
        // gone
      }
      if ((await Promise.race([exited, sleep(graceMs)])) === undefined && !done) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
        await exited;
      }
    },
  };
}
