/**
 * Where the files for ecflow_ui go.
 *
 * 1. The ecflow_ui config directory (`ecflow_ui -confd DIR`): `<folder of the config file>/ecflow-ui`
 *    (`ecflow-ui-<name>` for a config file not called config.toml), e.g.
 *    `~/.config/ecflow-remote/ecflow-ui`, or `--confd=DIR`. It is KEPT between runs so that
 *    ecflow_ui's sessions, window layout and preferences survive; each run rewrites what depends on
 *    the forwarded ports (servers.txt lines and log-server settings of the configured servers).
 *    Private: created 0700, must be ours and not a symlink (tightened to 0700 otherwise). A lock
 *    file (`.ecflow-remote.lock`, our pid) keeps two runs from rewriting it at once. Nothing secret
 *    goes here.
 * 2. A per-run private folder `<runtime dir>/ui-<pid>` (0700; the runtime dir is $XDG_RUNTIME_DIR's
 *    when there is one, i.e. memory-backed): the passwd files (0600), nss_wrapper and proxychains4
 *    configurations. Removed when the run ends, also on errors and signals; folders of dead runs are
 *    swept at the next start.
 */

import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { EcflowError, ErrorCode } from '../errors.js';

export const LOCK_FILE = '.ecflow-remote.lock';
/** What we wrote last time (server names, which of them got log-server settings). */
export const STATE_FILE = '.ecflow-remote.json';

/** The default ecflow_ui config directory for a config file. */
export function defaultUiConfigDir(configPath: string): string {
  const file = basename(configPath);
  const stem = file.replace(/\.toml$/i, '');
  return join(dirname(configPath), file === 'config.toml' ? 'ecflow-ui' : `ecflow-ui-${stem.replace(/[^A-Za-z0-9_.-]+/g, '_')}`);
}

/** Creates (or checks and tightens) a private directory: ours, a directory, not a symlink, 0700. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new EcflowError(ErrorCode.CONFIG, `${dir} exists and is not a directory (or is a symlink)`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) throw new EcflowError(ErrorCode.CONFIG, `${dir} is owned by uid ${st.uid}, not by us (${uid})`);
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * Opens the ecflow_ui config directory for this run: private, locked. Returns the release function.
 * Throws INVALID_ARGUMENT when another live run holds it.
 */
export function openUiConfigDir(dir: string): { dir: string; release: () => void } {
  if (!isAbsolute(dir)) dir = resolve(dir); // ecflow_ui's -confd wants an absolute path
  makePrivateDir(dir);
  const lock = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return { dir, release: () => releaseLock(lock) };
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
      const pid = Number.parseInt(readText(lock) ?? '', 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new EcflowError(
          ErrorCode.INVALID_ARGUMENT,
          `another 'ecflow-remote ecflow-ui' (pid ${pid}) is using ${dir}; stop it, or give this one its own directory with --confd=DIR`,
        );
      }
      rmSync(lock, { force: true }); // left by a run that died
    }
  }
  throw new EcflowError(ErrorCode.CONFIG, `cannot lock ${dir}`);
}

function releaseLock(lock: string): void {
  if (readText(lock)?.trim() === String(process.pid)) rmSync(lock, { force: true });
}

export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** What the previous run wrote into the config directory. */
export interface UiDirState {
  readonly servers: readonly string[];
  readonly logServerSettings: readonly string[];
}

export function readUiDirState(dir: string): UiDirState {
  try {
    const s = JSON.parse(readText(join(dir, STATE_FILE)) ?? '{}') as Partial<UiDirState>;
    const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    return { servers: strings(s.servers), logServerSettings: strings(s.logServerSettings) };
  } catch {
    return { servers: [], logServerSettings: [] };
  }
}

/** The per-run private folder `<runtimeDir>/ui-<pid>`, after sweeping those of dead runs. */
export function makeRunDir(runtimeDir: string): string {
  for (const name of safeList(runtimeDir)) {
    const m = /^ui-(\d+)$/.exec(name);
    if (m !== null && Number(m[1]) !== process.pid && !alive(Number(m[1]))) rmSync(join(runtimeDir, name), { recursive: true, force: true });
  }
  const dir = join(runtimeDir, `ui-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The session ecflow_ui will start with: last_session.txt when that session exists, else `default`. */
export function currentSessionName(dir: string): string {
  const last = readText(join(dir, 'last_session.txt'))?.split('\n')[0]?.trim();
  if (last !== undefined && last !== '' && !last.includes('/') && isDir(join(dir, `${last}.session`))) return last;
  return 'default';
}

function isDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}
