/**
 * Keeps a route's certificate in view while the route runs (connectivity-notes.md §5.2):
 * - finds it (ssh-certificate.ts `findCertificate`) and re-reads it when a candidate file changes
 *   (`fs.watchFile`, so a `tsh login` that rewrites the file is seen at once), or, while the route
 *   waits for a login, when the agent gets a new certificate (`ssh-add -L`, polled);
 * - warns at T-60 min and T-10 min (configurable), and reports the moment of expiry.
 *
 * It never runs a login and never touches the network; the supervisor decides what to do.
 */

import { unwatchFile, watchFile, type Stats } from 'node:fs';
import {
  certificateExpired,
  certificateNotYetValid,
  certificateWarning,
  findCertificate,
  type CertificateInfo,
  type FindCertificateOptions,
} from './ssh-certificate.js';

export type CertificateChange = 'found' | 'changed' | 'gone' | 'warning' | 'expired';

export interface CertificateWatchOptions {
  /** How to find it; `resolved` may be replaced later with {@link CertificateWatch.refresh}. */
  readonly find: FindCertificateOptions;
  readonly loginCommand?: string | undefined;
  /** Minutes before expiry at which to warn; default [60, 10]. */
  readonly thresholdsMin?: readonly number[];
  /** fs.watchFile polling interval (ms); default 2000. */
  readonly fileIntervalMs?: number;
  /** Agent polling interval while {@link CertificateWatch.pollAgent} is on (ms); default 5000. */
  readonly agentIntervalMs?: number;
  /** Called after every change of what we know (new file content, warning, expiry). */
  readonly onChange: (change: CertificateChange, cert: CertificateInfo | undefined, warning: string | undefined) => void;
}

/** The longest delay setTimeout takes (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

function sameCertificate(a: CertificateInfo | undefined, b: CertificateInfo | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.path === b.path && a.mtimeMs === b.mtimeMs && a.validTo?.getTime() === b.validTo?.getTime() && a.validFrom?.getTime() === b.validFrom?.getTime();
}

/** The certificate files worth watching for `options` (existing or not). */
export function certificateCandidateFiles(options: FindCertificateOptions): string[] {
  const files = new Set<string>();
  if (options.certificateFile !== undefined) files.add(options.certificateFile);
  if (options.identityFile !== undefined) files.add(`${options.identityFile}-cert.pub`);
  for (const r of options.resolved) {
    for (const f of r.certificateFiles) files.add(f);
    for (const f of r.identityFiles) files.add(`${f}-cert.pub`);
  }
  return [...files];
}

export class CertificateWatch {
  private options: CertificateWatchOptions;
  private cert: CertificateInfo | undefined;
  private warningText: string | undefined;
  private readonly watched = new Map<string, (curr: Stats, prev: Stats) => void>();
  private timers: NodeJS.Timeout[] = [];
  private agentTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<CertificateInfo | undefined> | undefined;
  private closed = false;

  constructor(options: CertificateWatchOptions) {
    this.options = options;
  }

  get current(): CertificateInfo | undefined {
    return this.cert;
  }

  /** True after {@link close}: a closed watch never re-arms. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The warning in force (T-60/T-10), if any. */
  get warning(): string | undefined {
    return this.warningText;
  }

  /** True when a certificate is known and is usable now. */
  usable(now: number = Date.now()): boolean {
    return this.cert !== undefined && !certificateExpired(this.cert, now) && !certificateNotYetValid(this.cert, now);
  }

  /** Looks again (optionally with a new `ssh -G` result), re-arms watches and timers. */
  refresh(find?: FindCertificateOptions): Promise<CertificateInfo | undefined> {
    if (find !== undefined) this.options = { ...this.options, find };
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<CertificateInfo | undefined> {
    const before = this.cert;
    const found = await findCertificate(this.options.find);
    if (this.closed) return found;
    this.cert = found;
    this.watchFiles(found);
    this.armTimers();
    if (!sameCertificate(before, found)) {
      const change: CertificateChange = found === undefined ? 'gone' : before === undefined ? 'found' : 'changed';
      this.options.onChange(change, found, this.warningText);
    }
    return found;
  }

  /** While on, the agent is polled for a (new) certificate; used while the route needs a login. */
  pollAgent(on: boolean): void {
    if (!on || this.closed) {
      if (this.agentTimer) clearInterval(this.agentTimer);
      this.agentTimer = undefined;
      return;
    }
    if (this.agentTimer !== undefined) return;
    this.agentTimer = setInterval(() => void this.refresh(), this.options.agentIntervalMs ?? 5000);
    this.agentTimer.unref();
  }

  close(): void {
    this.closed = true;
    for (const [file, listener] of this.watched) unwatchFile(file, listener);
    this.watched.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    this.pollAgent(false);
  }

  private watchFiles(found: CertificateInfo | undefined): void {
    const wanted = new Set(certificateCandidateFiles(this.options.find));
    if (found !== undefined && found.source !== 'agent') wanted.add(found.path);
    for (const [file, listener] of this.watched) {
      if (!wanted.has(file)) {
        unwatchFile(file, listener);
        this.watched.delete(file);
      }
    }
    for (const file of wanted) {
      if (this.watched.has(file)) continue;
      const listener = (curr: Stats, prev: Stats): void => {
        if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size || curr.ino !== prev.ino) void this.refresh();
      };
      watchFile(file, { interval: this.options.fileIntervalMs ?? 2000, persistent: false }, listener);
      this.watched.set(file, listener);
    }
  }

  private armTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    const cert = this.cert;
    const now = Date.now();
    this.warningText = cert === undefined ? undefined : certificateWarning(cert, now, this.options.loginCommand, this.thresholds());
    if (cert?.validTo == null) return;
    const end = cert.validTo.getTime();
    const at = (when: number, fn: () => void): void => {
      const delay = when - Date.now();
      if (delay <= 0) return;
      const t = setTimeout(delay > MAX_TIMER_MS ? () => this.armTimers() : fn, Math.min(delay, MAX_TIMER_MS));
      t.unref();
      this.timers.push(t);
    };
    for (const minutes of this.thresholds()) {
      const when = end - minutes * 60_000;
      at(when, () => {
        // Timers may fire a millisecond "early" by the wall clock: judge at the scheduled time.
        this.warningText = certificateWarning(cert, Math.max(Date.now(), when), this.options.loginCommand, this.thresholds());
        this.options.onChange('warning', cert, this.warningText);
      });
    }
    at(end, () => {
      this.warningText = undefined;
      this.options.onChange('expired', cert, undefined);
    });
  }

  private thresholds(): readonly number[] {
    return this.options.thresholdsMin ?? [60, 10];
  }
}
