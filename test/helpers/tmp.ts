/**
 * Temporary directories for integration tests, removed when the test process ends.
 *
 * Every directory made here is remembered; `removeTempDir` deletes one now, and an exit hook
 * deletes whatever is left (also after a failed test). Set `ECFLOW_TEST_KEEP=1` to keep them for
 * a post-mortem (their paths are then printed on exit).
 *
 * @example
 *   const dir = await makeTempDir('sshd');
 *   await writeFile(join(dir, 'sshd_config'), text);
 *   // ... removed automatically, or now with: await removeTempDir(dir);
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<string>();
let hooked = false;

/** True when `ECFLOW_TEST_KEEP` asks to keep temp dirs (and server files) for debugging. */
export function keepTempFiles(): boolean {
  const v = process.env['ECFLOW_TEST_KEEP'];
  return v !== undefined && v !== '' && v !== '0';
}

function hook(): void {
  if (hooked) return;
  hooked = true;
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

/** Creates a fresh directory `<os.tmpdir()>/ecflow-remote-<prefix>-XXXXXX` (mode 0700). */
export async function makeTempDir(prefix = 'test'): Promise<string> {
  hook();
  const dir = await mkdtemp(join(tmpdir(), `ecflow-remote-${prefix}-`));
  live.add(dir);
  return dir;
}

/** Synchronous variant of {@link makeTempDir}. */
export function makeTempDirSync(prefix = 'test'): string {
  hook();
  const dir = mkdtempSync(join(tmpdir(), `ecflow-remote-${prefix}-`));
  live.add(dir);
  return dir;
}

/** Removes a directory made by {@link makeTempDir} (no-op when `ECFLOW_TEST_KEEP` is set). */
export async function removeTempDir(dir: string): Promise<void> {
  if (keepTempFiles()) return;
  live.delete(dir);
  await rm(dir, { recursive: true, force: true });
}
