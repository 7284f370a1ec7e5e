/**
 * The local forwards of one `ecflow-remote ecflow-ui` run: one per distinct (route, host, port), made
 * on demand with `Centre.forward` (through the running `ecflow-remote up`'s ControlMaster when there
 * is one, else through a route this process starts).
 *
 * Lifetime: they live while ecflow_ui runs.
 * - Routes of this process: the supervisor re-applies its forwards (same local ports) after each
 *   reconnect; `Centre.stop()` ends the masters and with them the forwards.
 * - Routes of `up`: its supervisor does not know our forwards, so {@link ForwardSet.watch} reads
 *   up.json every few seconds and, after a reconnect of that route, adds them again on the same
 *   local ports (`ssh -O forward`); {@link ForwardSet.cancelAll} removes them (`ssh -O cancel`,
 *   checked by connecting) while `up` keeps running.
 */

import { EcflowError, ErrorCode } from '../errors.js';
import type { Centre } from '../client/centre.js';
import { readUpStatus } from '../client/up-status.js';
import { muxAddForward, muxCancelForward } from '../transport/ssh-forwards.js';

export interface ForwardInfo {
  readonly route: string;
  readonly remoteHost: string;
  readonly remotePort: number;
  readonly localPort: number;
  /** Set when the forward lives on `up`'s master (we must cancel it ourselves). */
  readonly upControlPath?: string;
}

export class ForwardSet {
  private readonly centre: Centre;
  private readonly pending = new Map<string, Promise<ForwardInfo>>();
  private readonly made: ForwardInfo[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(centre: Centre) {
    this.centre = centre;
  }

  /** The local port forwarded to host:port through `route` (one forward per target). */
  async get(route: string, host: string, port: number): Promise<number> {
    const key = `${route}\0${host.toLowerCase()}\0${port}`;
    let p = this.pending.get(key);
    if (p === undefined) {
      p = this.make(route, host, port);
      this.pending.set(key, p);
      p.catch(() => this.pending.delete(key));
    }
    return (await p).localPort;
  }

  private async make(route: string, remoteHost: string, remotePort: number): Promise<ForwardInfo> {
    const attached = this.centre.attachedTo;
    if (attached !== undefined && attached.routes[route] === undefined) {
      // Centre.forward would start a route of its own next to up's: refuse, as its clients do.
      throw new EcflowError(ErrorCode.CONNECT, `ecflow-remote up (pid ${attached.pid}) has no route '${route}' (started with ${attached.configPath}?)`);
    }
    const localPort = await this.centre.forward(route, remoteHost, remotePort);
    const upControlPath = attached?.routes[route]?.controlPath;
    const info: ForwardInfo = { route, remoteHost, remotePort, localPort, ...(upControlPath === undefined ? {} : { upControlPath }) };
    this.made.push(info);
    return info;
  }

  list(): readonly ForwardInfo[] {
    return [...this.made];
  }

  /**
   * Keeps the forwards on `up`'s masters after reconnects (see the module comment). `say` gets one
   * line per event worth telling.
   */
  watch(say: (line: string) => void, intervalMs = 3000): void {
    const attached = this.centre.attachedTo;
    if (attached === undefined || this.timer !== undefined) return;
    const seen = new Map<string, string>();
    for (const [name, r] of Object.entries(attached.routes)) seen.set(name, `${r.pid ?? ''}|${r.reconnects}`);
    let gone = false;
    let busy = false;
    this.timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void this.recheck(seen, say, () => {
        if (!gone) say(`ecflow-remote up (pid ${attached.pid}) has stopped: the forwards ecflow_ui uses are gone; start 'ecflow-remote up' and then this command again`);
        gone = true;
      }).finally(() => {
        busy = false;
      });
    }, intervalMs);
    this.timer.unref();
  }

  private async recheck(seen: Map<string, string>, say: (line: string) => void, onGone: () => void): Promise<void> {
    const now = readUpStatus(this.centre.runtimeDir);
    if (now === undefined) {
      onGone();
      return;
    }
    for (const [name, r] of Object.entries(now.routes)) {
      const mark = `${r.pid ?? ''}|${r.reconnects}`;
      if (seen.get(name) === mark || r.state !== 'up' || r.controlPath === undefined) continue;
      seen.set(name, mark);
      for (const f of this.made.filter((m) => m.route === name && m.upControlPath !== undefined)) {
        const problem = await muxAddForward(r.controlPath, { localPort: f.localPort, remoteHost: f.remoteHost, remotePort: f.remotePort });
        say(
          problem === undefined
            ? `route ${name} reconnected: forward 127.0.0.1:${f.localPort} → ${f.remoteHost}:${f.remotePort} restored`
            : `route ${name} reconnected: cannot restore 127.0.0.1:${f.localPort} → ${f.remoteHost}:${f.remotePort}: ${problem}`,
        );
      }
    }
  }

  /** Removes the forwards on `up`'s masters (ours go with `Centre.stop()`). Returns problems. */
  async cancelAll(): Promise<string[]> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    const now = readUpStatus(this.centre.runtimeDir);
    const problems: string[] = [];
    await Promise.all(
      this.made
        .filter((f) => f.upControlPath !== undefined)
        .map(async (f) => {
          const controlPath = now?.routes[f.route]?.controlPath ?? f.upControlPath!;
          const problem = await muxCancelForward(controlPath, { localPort: f.localPort, remoteHost: f.remoteHost, remotePort: f.remotePort });
          if (problem !== undefined) problems.push(problem);
        }),
    );
    return problems;
  }
}
