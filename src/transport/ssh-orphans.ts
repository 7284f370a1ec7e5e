/**
 * Masters left behind by a process that died without cleaning up (SIGKILL, crash, power cut of
 * the terminal…): each route writes `<runtime dir>/<id>.owner` (owner PID, master PID, control
 * socket, generated config) while it runs; the next supervisor that starts in the same runtime
 * directory ends the masters of dead owners with `ssh -F none -S <socket> -O exit x` and removes
 * their files.
 *
 * Only the control socket is used to end a master: it proves the process is an ssh master of ours
 * (the directory is private). A master without a socket (no multiplexing, i.e. Windows) is not
 * killed by PID, as the PID may have been reused; its files are removed.
 */

import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runControl } from './ssh-forwards.js';

export interface OwnerRecord {
  readonly ownerPid: number;
  readonly route: string;
  readonly masterPid?: number;
  readonly controlPath?: string;
  readonly generatedConfig?: string;
}

/** `<dir>/<id>.owner`. */
export function ownerFile(dir: string, id: string): string {
  return join(dir, `${id}.owner`);
}

export function writeOwnerRecord(path: string, record: OwnerRecord): void {
  writeFileSync(path, `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false; // ESRCH; EPERM = another user's process, so not our (private-directory) owner
  }
}

/**
 * Ends the masters of dead owners in `dir` and removes their files. Returns the routes cleaned up.
 *
 * @example
 * await sweepOrphanedMasters('/run/user/1000/ecflow-remote'); // ['centre']
 */
export async function sweepOrphanedMasters(dir: string, options: { ssh?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.owner'));
  } catch {
    return [];
  }
  const cleaned: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    let record: OwnerRecord;
    try {
      record = JSON.parse(readFileSync(path, 'utf8')) as OwnerRecord;
    } catch {
      continue; // being written, or not ours to judge
    }
    if (typeof record.ownerPid !== 'number' || record.ownerPid === process.pid || alive(record.ownerPid)) continue;
    if (record.controlPath !== undefined && existsSync(record.controlPath)) {
      await runControl(record.controlPath, 'exit', undefined, { ...options, timeoutMs: 3000 });
    }
    for (const file of [record.controlPath, record.generatedConfig, path]) {
      if (file !== undefined) rmSync(file, { force: true });
    }
    cleaned.push(record.route);
  }
  return cleaned;
}
