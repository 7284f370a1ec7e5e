/**
 * `ecflow-remote ui --no-open` as a child process for the UI benchmark (bench/ui.ts), so that its
 * memory is its own (VmRSS / VmHWM from /proc): started through `setpriv --pdeathsig KILL` (it dies
 * with the bench even on SIGKILL) and guarded (SIGKILLed at exit), stopped with SIGTERM then
 * SIGKILL. Also a watching WebSocket (no subscription, so no snapshot) that tells when the UI
 * server has the model: the server's health turns `connected` after its first full sync.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ServerMessage } from '../src/server/ui-protocol.js';
import { guardPid, isAlive, setprivPrefix, unguardPid } from '../test/helpers/run.js';
import { tryWebSocket, type UiSocket } from '../test/helpers/ui-server-client.js';

const BIN = fileURLToPath(new URL('../../bin/ecflow-remote.js', import.meta.url));

export interface Mem {
  readonly rssKb: number;
  readonly hwmKb: number;
}

/** VmRSS / VmHWM of a process, KiB (NaN when gone). */
export function procMem(pid: number): Mem {
  let status = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    // gone
  }
  const get = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKb: get('VmRSS'), hwmKb: get('VmHWM') };
}

export interface UiChild {
  readonly pid: number;
  /** http://127.0.0.1:<port>/?token=… */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** stderr of the child so far (its log lines). */
  stderr(): string;
  mem(): Mem;
  /** Resolves when the server `name` is loaded (health `connected`); rejects on `error` or timeout. */
  modelLoaded(name: string, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startUiChild(configPath: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<UiChild> {
  const child: ChildProcess = spawn('setpriv', [...setprivPrefix(), process.execPath, BIN, 'ui', '--config', configPath, '--no-open', '--port', '0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn setpriv/node for `ecflow-remote ui`');
  guardPid(pid);
  let out = '';
  let err = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => {
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
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));

  let watcher: UiSocket | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      watcher?.ws.terminate();
      if (!exited && isAlive(pid)) {
        child.kill('SIGTERM');
        await Promise.race([exit, sleep(5000)]);
        if (!exited && isAlive(pid)) {
          child.kill('SIGKILL');
          await Promise.race([exit, sleep(5000)]);
        }
      }
      unguardPid(pid);
    })());

  try {
    const deadline = Date.now() + timeoutMs;
    let m: RegExpExecArray | null;
    while ((m = /ecflow-remote UI: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+))/.exec(out)) === null) {
      if (exited) throw new Error(`ecflow-remote ui exited before printing its address:\n${err}${out}`);
      if (Date.now() > deadline) throw new Error(`ecflow-remote ui printed no address within ${timeoutMs} ms:\n${err}${out}`);
      await sleep(20);
    }
    const [, url, portText, token] = m as unknown as [string, string, string, string];
    const port = Number(portText);
    const origin = `http://127.0.0.1:${port}`;
    const r = await tryWebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, { Origin: origin });
    if (!('ws' in r)) throw new Error(`the watching WebSocket was refused (HTTP ${r.status})`);
    watcher = r.ws;
    const ws = r.ws;

    return {
      pid,
      url,
      port,
      token,
      stderr: () => err,
      mem: () => procMem(pid),
      async modelLoaded(name, waitMs) {
        const healthOf = (msg: ServerMessage): string | undefined =>
          msg.type === 'welcome' ? msg.servers.find((s) => s.name === name)?.health.state : msg.type === 'health' && msg.server === name ? msg.health.state : undefined;
        const msg = await ws.waitFor((x) => {
          const h = healthOf(x);
          return h === 'connected' || h === 'error';
        }, waitMs);
        if (healthOf(msg) !== 'connected') {
          const h = msg.type === 'health' ? msg.health : msg.type === 'welcome' ? msg.servers.find((s) => s.name === name)?.health : undefined;
          throw new Error(`server '${name}' could not be loaded by the UI server: ${h?.message ?? '?'}\n${err}`);
        }
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
