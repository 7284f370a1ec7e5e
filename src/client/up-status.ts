/**
 * The status file of a running `ecflow-remote up`: `<runtime dir>/up.json` (mode 0600), rewritten
 * atomically on every change. Other commands (`status`, `client --server`, `output`, `ecflow-ui`,
 * `doctor`) read it to use the routes that `up` keeps open (their SOCKS ports and control sockets)
 * instead of starting their own ssh. A file whose process is gone is ignored (and removed).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../config/atomic-write.js';
import type { RouteStatus } from '../transport/ssh-route.js';

export const UP_STATUS_FILE = 'up.json';

/** What `up` last learnt about one server. */
export interface ServerCheck {
  readonly name: string;
  readonly address: string;
  readonly route?: string;
  readonly reachable: boolean;
  readonly version?: string;
  /** ISO time of the check. */
  readonly checkedAt: string;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface UpRouteStatus extends RouteStatus {
  /** ControlMaster socket, for `-O forward` from other processes. */
  readonly controlPath?: string;
}

export interface UpStatus {
  readonly version: 1;
  readonly pid: number;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly configPath: string;
  readonly routes: Readonly<Record<string, UpRouteStatus>>;
  readonly servers: Readonly<Record<string, ServerCheck>>;
  /** The local web UI, when `up` serves it (the URL without its token). */
  readonly ui?: { readonly port: number };
}

export function upStatusPath(runtimeDir: string): string {
  return join(runtimeDir, UP_STATUS_FILE);
}

export async function writeUpStatus(runtimeDir: string, status: UpStatus): Promise<void> {
  await writeFileAtomic(upStatusPath(runtimeDir), `${JSON.stringify(status, null, 2)}\n`, 0o600);
}

export function removeUpStatus(runtimeDir: string, pid = process.pid): void {
  const current = readUpStatusRaw(runtimeDir);
  if (current === undefined || current.pid === pid) rmSync(upStatusPath(runtimeDir), { force: true });
}

/** The status of a running `up`, or undefined when none runs (a stale file is removed). */
export function readUpStatus(runtimeDir: string): UpStatus | undefined {
  const status = readUpStatusRaw(runtimeDir);
  if (status === undefined) return undefined;
  if (!processAlive(status.pid)) {
    rmSync(upStatusPath(runtimeDir), { force: true });
    return undefined;
  }
  return status;
}

function readUpStatusRaw(runtimeDir: string): UpStatus | undefined {
  let text: string;
  try {
    text = readFileSync(upStatusPath(runtimeDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as UpStatus;
    return parsed.version === 1 && Number.isInteger(parsed.pid) ? parsed : undefined;
  } catch {
    return undefined; // half-written files cannot happen (atomic rename); garbage is ignored
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}
