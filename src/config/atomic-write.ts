/**
 * Replace a file atomically with private permissions: write a temporary file in the same folder
 * (created 0600, exclusive), flush it to disk, then rename it over the target. Readers see the
 * old or the new content, never a part; a crash leaves at most a stray `.tmp` file. The folder is
 * created (0700) when missing.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EcflowError, ErrorCode } from '../errors.js';

/**
 * Throws EcflowError(CONFIG) `cannot write <path>: <code>` when the folder or file cannot be written.
 *
 * @example
 * await writeFileAtomic('/home/u/.config/ecflow-remote/config.toml', text);   // mode 0600
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  try {
    await write(path, data, mode);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new EcflowError(ErrorCode.CONFIG, `cannot write ${path}: ${typeof code === 'string' ? code : String(e)}`, { cause: e });
  }
}

async function write(path: string, data: string, mode: number): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', mode);
  try {
    try {
      await handle.writeFile(data, 'utf8');
      await handle.chmod(mode); // the umask may have taken bits away; never adds any beyond `mode`
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  // make the rename itself durable (not possible on every platform: best effort)
  try {
    const d = await open(dir, 'r');
    await d.sync().finally(() => d.close());
  } catch {
    // ignore
  }
}
