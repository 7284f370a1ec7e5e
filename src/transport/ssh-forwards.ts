/**
 * Local forwards on demand, for programs that cannot speak SOCKS (ecflow_ui: notes §4.2, §5.1 (a)).
 *
 * With multiplexing, a forward is added to the running master with
 * `ssh -F none -S <ControlPath> -O forward -L 127.0.0.1:<p>:<host>:<port> x` and removed with
 * `-O cancel`. The mux client's exit codes are not trusted (notes §1.2: a failed forward says only
 * "Port forwarding failed"; a cancel of an absent forward still exits 0), so every change is
 * checked by connecting to the local port. Local ports are chosen by us (`-L 0:…` is refused).
 *
 * The registry is the desired set; the supervisor re-applies it after each reconnect, keeping each
 * forward's local port when it can (so a generated ecflow_ui server list stays valid).
 */

import { buildControlArgv, type LocalForward } from './ssh-command.js';
import { localPortAccepts } from './ssh-probe.js';
import { runProgram, type ProgramResult } from './ssh-process.js';

/** One wanted forward. */
export interface ForwardEntry extends LocalForward {}

/** The key of a forward: `<remoteHost>:<remotePort>`. */
export function forwardKey(remoteHost: string, remotePort: number): string {
  return `${remoteHost.toLowerCase()}:${remotePort}`;
}

/** The desired forwards of one route, by remote target. */
export class ForwardRegistry {
  private readonly entries = new Map<string, ForwardEntry>();

  get(remoteHost: string, remotePort: number): ForwardEntry | undefined {
    return this.entries.get(forwardKey(remoteHost, remotePort));
  }

  set(entry: ForwardEntry): void {
    this.entries.set(forwardKey(entry.remoteHost, entry.remotePort), entry);
  }

  delete(remoteHost: string, remotePort: number): boolean {
    return this.entries.delete(forwardKey(remoteHost, remotePort));
  }

  list(): ForwardEntry[] {
    return [...this.entries.values()];
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface MuxOptions {
  readonly ssh?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** `ssh -F none -S <path> -O <op> …`. */
export function runControl(
  controlPath: string,
  operation: 'check' | 'exit' | 'forward' | 'cancel',
  forward: LocalForward | undefined,
  options: MuxOptions = {},
): Promise<ProgramResult> {
  return runProgram(options.ssh ?? 'ssh', buildControlArgv(controlPath, operation, forward), {
    timeoutMs: options.timeoutMs ?? 5000,
    ...(options.env ? { env: options.env } : {}),
  });
}

/**
 * Adds `forward` to the master behind `controlPath` and checks that its local port accepts
 * connections. Returns undefined on success, else the reason (mux client stderr or "not listening").
 */
export async function muxAddForward(controlPath: string, forward: LocalForward, options: MuxOptions = {}): Promise<string | undefined> {
  const r = await runControl(controlPath, 'forward', forward, options);
  if (r.code !== 0) return (r.stderr.trim() || `ssh -O forward exited with ${String(r.code ?? r.signal)}`).replace(/\s*\n\s*/g, '; ');
  if (!(await localPortAccepts(forward.localPort))) return `127.0.0.1:${forward.localPort} does not accept connections after -O forward`;
  return undefined;
}

/**
 * Removes `forward` from the master and checks that its local port no longer accepts connections.
 * Returns undefined when the port is closed afterwards (whatever the mux client's exit code).
 */
export async function muxCancelForward(controlPath: string, forward: LocalForward, options: MuxOptions = {}): Promise<string | undefined> {
  const r = await runControl(controlPath, 'cancel', forward, options);
  for (let i = 0; i < 10; i++) {
    if (!(await localPortAccepts(forward.localPort, 500))) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return `127.0.0.1:${forward.localPort} still accepts connections after -O cancel (${r.stderr.trim() || `exit ${String(r.code)}`})`;
}
