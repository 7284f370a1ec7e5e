/**
 * Temporary directories for integration tests, removed when the test process ends.
 *
 * Every directory made here is remembered; `removeTempDir` deletes one now, and an exit hook
 * deletes whatever is left (also after a failed test). Set `ECFLOW_TEST_KEEP=1` to keep them for
 * a post-mortem (their paths are then printed on exit). Names carry the creating PID
 * (`ecflow-remote-<prefix>-<pid>-XXXXXX`), so directories left by a test process that was
 * SIGKILLed are swept by the next test process (when that PID is gone and the directory is more
 * than 10 minutes old).
 *
 * @example
 *   const dir = await makeTempDir('sshd');
 *   await writeFile(join(dir, 'sshd_config'), text);
 *   // ... removed automatically, or now with: await removeTempDir(dir);
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from './run.js';

const live = new Set<string>();
let hooked = false;

/** True when `ECFLOW_TEST_KEEP` asks to keep temp dirs (and server files) for debugging. */
export function keepTempFiles(): boolean {
  const v = process.env['ECFLOW_TEST_KEEP'];
  return v !== undefined && v !== '' && v !== '0';
}

/** Removes `ecflow-remote-*-<pid>-*` dirs of dead test processes (best effort). */
function sweepStale(): void {
  const root = tmpdir();
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^ecflow-remote-.+-(\d+)-[A-Za-z0-9]{6}$/.exec(name);
    if (!m?.[1]) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    const path = join(root, name);
    try {
      if (Date.now() - statSync(path).mtimeMs < 10 * 60_000) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // raced with another sweeper
    }
  }
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  if (!keepTempFiles()) sweepStale();
  process.on('exit', () => {
    if (keepTempFiles()) {
      if (live.size > 0) process.stderr.write(`kept temp dirs: ${[...live].join(' ')}\n`);
      return;
    }
    for (const dir of live) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort at exit
      }
    }
    live.clear();
  });
}

/** Creates a fresh directory `<os.tmpdir()>/ecflow-remote-<prefix>-<pid>-XXXXXX` (mode 0700). */
export async function makeTempDir(prefix = 'test'): Promise<string> {
  hook();
  const dir = await mkdtemp(join(tmpdir(), `ecflow-remote-${prefix}-${process.pid}-`));
  live.add(dir);
  return dir;
}

/** Synchronous variant of {@link makeTempDir}. */
export function makeTempDirSync(prefix = 'test'): string {
  hook();
  const dir = mkdtempSync(join(tmpdir(), `ecflow-remote-${prefix}-${process.pid}-`));
  live.add(dir);
  return dir;
}

/** Removes a directory made by {@link makeTempDir} (no-op when `ECFLOW_TEST_KEEP` is set). */
export async function removeTempDir(dir: string): Promise<void> {
  if (keepTempFiles()) return;
  live.delete(dir);
  await rm(dir, { recursive: true, force: true });
}
