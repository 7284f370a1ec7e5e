/**
 * The private runtime directory of the route supervisors: control sockets of the OpenSSH masters
 * (`ControlPath`), generated ssh_config files and the small state files used to clean up after a
 * crashed process (connectivity-notes.md §5.1).
 *
 * - Private: created 0700; an existing directory must be ours (same uid), not a symlink, and not
 *   open to group/others (we tighten the mode of our own directory, and refuse anyone else's).
 * - Short: a Unix-socket path holds at most 103 bytes on macOS (sun_path 104) and 107 on Linux
 *   (108), and OpenSSH first binds `<ControlPath>.<16 random chars>` before renaming it into
 *   place, so the directory is chosen so that `<dir>/<id>` + 17 bytes still fits.
 *
 * Candidates, in order: $XDG_RUNTIME_DIR/ecflow-remote (Linux desktop sessions), then
 * `<os.tmpdir()>/ecflow-remote-<uid>`, then `/tmp/ecflow-remote-<uid>` (macOS's $TMPDIR under
 * /var/folders is long). On Windows there are no control sockets (no ControlMaster, notes §0.9);
 * the directory only holds generated configs, under os.tmpdir().
 */

import { lstatSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';

/** Longest usable Unix-socket path (bytes, without the terminating NUL) per platform. */
export function unixSocketPathMax(platform: NodeJS.Platform = process.platform): number {
  return platform === 'linux' ? 107 : 103;
}

/** What OpenSSH appends to ControlPath while it sets the socket up (`.` + 16 random characters). */
export const CONTROL_PATH_TEMP_SUFFIX = 17;

/** Length of the ids made by {@link shortRouteId}. */
export const ROUTE_ID_LENGTH = 10;

export interface RuntimeDirOptions {
  /** Use this directory (created/checked like the defaults). */
  readonly dir?: string;
  readonly platform?: NodeJS.Platform;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The candidate directories, best first (see the module comment). */
export function runtimeDirCandidates(options: RuntimeDirOptions = {}): string[] {
  if (options.dir !== undefined) return [options.dir];
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const uid = process.getuid?.() ?? 0;
  const out: string[] = [];
  if (platform === 'win32') return [join(tmpdir(), 'ecflow-remote')];
  const xdg = env['XDG_RUNTIME_DIR'];
  if (xdg !== undefined && xdg.startsWith('/')) out.push(join(xdg, 'ecflow-remote'));
  out.push(join(tmpdir(), `ecflow-remote-${uid}`));
  out.push(`/tmp/ecflow-remote-${uid}`);
  return out;
}

/** True when a control socket `<dir>/<id>` (plus OpenSSH's temporary suffix) fits in sun_path. */
export function controlPathFits(dir: string, platform: NodeJS.Platform = process.platform): boolean {
  const bytes = Buffer.byteLength(join(dir, 'x'.repeat(ROUTE_ID_LENGTH)));
  return bytes + CONTROL_PATH_TEMP_SUFFIX <= unixSocketPathMax(platform);
}

/**
 * Creates (or checks) the private runtime directory and returns its path.
 * Throws an Error saying why when no candidate is usable.
 *
 * @example
 * const dir = ensureRuntimeDir();   // e.g. /run/user/1000/ecflow-remote
 */
export function ensureRuntimeDir(options: RuntimeDirOptions = {}): string {
  const platform = options.platform ?? process.platform;
  const problems: string[] = [];
  for (const dir of runtimeDirCandidates(options)) {
    if (platform !== 'win32' && !controlPathFits(dir, platform)) {
      problems.push(`${dir}: too long for a control socket path`);
      continue;
    }
    try {
      makePrivateDir(dir, platform);
      return dir;
    } catch (e) {
      problems.push(`${dir}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new Error(`no usable private runtime directory for ssh control sockets (${problems.join('; ')})`);
}

function makePrivateDir(dir: string, platform: NodeJS.Platform): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if (platform === 'win32') return; // ACLs, not modes; os.tmpdir() is per user there
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new Error('exists and is not a directory (or is a symlink)');
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) throw new Error(`owned by uid ${st.uid}, not by us (${uid})`);
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/**
 * A short id for a route's files: up to 5 characters of its name, a dash, and random hex, always
 * {@link ROUTE_ID_LENGTH} characters, safe in file names (`centre` → `centr-3fa9`).
 */
export function shortRouteId(routeName: string): string {
  const slug = routeName.toLowerCase().replace(/[^a-z0-9]+/g, '').slice(0, 5) || 'route';
  const hexLength = ROUTE_ID_LENGTH - slug.length - 1;
  const salt = randomBytes(8).toString('hex');
  const hex = createHash('sha256').update(`${routeName}\0${process.pid}\0${salt}`).digest('hex');
  return `${slug}-${hex.slice(0, hexLength)}`;
}
