/**
 * OS users for tests that need a second identity (a server run by another user, a client whose
 * login name is in a white list, an sshd login). Creating users needs root, which CI has.
 *
 * @example
 *   const op = await ensureUser('ecfop');   // useradd --system --create-home if missing
 *   spawn('setpriv', [...setprivPrefix(op), 'id']);
 */
import { chown, readdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './run.js';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** The user running this process. */
export function currentUser(): OsUser {
  const u = userInfo();
  return { name: u.username, uid: u.uid, gid: u.gid, home: u.homedir };
}

/** Looks a user up in the passwd database (getent, so NSS sources count too). */
export async function lookupUser(name: string): Promise<OsUser | undefined> {
  const r = await runCommand('getent', ['passwd', name], { timeoutMs: 10_000 });
  if (r.code !== 0) return undefined;
  const f = r.stdout.trim().split(':');
  if (f.length < 7) return undefined;
  return { name: f[0] ?? name, uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '' };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Returns the user, creating it first if missing (`useradd --system --create-home --shell
 * /usr/sbin/nologin`). Safe when several test processes race: "already exists" (exit 9) is fine
 * and a locked /etc/passwd (exit 10) is retried.
 */
export async function ensureUser(name: string): Promise<OsUser> {
  if (!/^[a-z_][a-z0-9_-]{0,30}$/.test(name)) throw new Error(`ensureUser: unusual user name '${name}'`);
  for (let attempt = 0; attempt < 20; attempt++) {
    const found = await lookupUser(name);
    if (found) return found;
    if (process.getuid?.() !== 0) {
      throw new Error(`ensureUser: OS user '${name}' does not exist and only root can create it (useradd)`);
    }
    const r = await runCommand('useradd', ['--system', '--create-home', '--shell', '/usr/sbin/nologin', name], {
      timeoutMs: 30_000,
    });
    if (r.code === 0 || r.code === 9) continue; // created, or someone else did
    if (r.code === 10 || r.code === 1) {
      await sleep(100 + Math.random() * 400); // passwd file locked by a parallel useradd
      continue;
    }
    throw new Error(`useradd ${name} failed (code ${r.code}): ${r.stderr.trim()}`);
  }
  throw new Error(`ensureUser: could not create OS user '${name}'`);
}

/** chown -R `path` to the user (and its primary group). */
export async function chownTree(path: string, user: OsUser): Promise<void> {
  await chown(path, user.uid, user.gid);
  for (const e of await readdir(path, { withFileTypes: true })) {
    const p = join(path, e.name);
    if (e.isDirectory()) await chownTree(p, user);
    else await chown(p, user.uid, user.gid);
  }
}
