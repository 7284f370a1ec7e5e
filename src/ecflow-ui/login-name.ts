/**
 * The login name ecflow_ui sends, and the opt-in way to change it (`--login-name=NAME`).
 *
 * ecflow_ui 5.9.2 cannot send another login name by itself (checked in its source):
 * - for a server without a user in servers.txt, every request carries User::login_name(), which is
 *   getpwuid(getuid())->pw_name: neither USER nor LOGNAME nor any option changes it;
 * - a name in servers.txt's user column, ECF_USER, or `--user` makes a *custom* user (`cu_`), which
 *   the server only accepts with a password from its ECF_CUSTOM_PASSWD file (and with ECF_USER set,
 *   EVERY server without a servers.txt user becomes that custom user).
 * So a white list entry (`remote_user` in our config) that differs from the local login name cannot
 * be met by ecflow_ui as shipped.
 *
 * Workaround, opt-in: nss_wrapper (Debian package libnss-wrapper) preloaded into ecflow_ui with a
 * private passwd file in which our uid is called NAME. getpwuid() then answers NAME, and ecflow_ui
 * sends it as its login name to every server (one name per ecflow_ui process). Checked with
 * ecflow_client 5.9.2: the server logged `--suspend /s1 :whitename@vm`.
 */

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';

/** Where Debian and others put the library. */
const NSS_WRAPPER_CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/libnss_wrapper.so',
  '/usr/lib/aarch64-linux-gnu/libnss_wrapper.so',
  '/usr/lib64/libnss_wrapper.so',
  '/usr/lib/libnss_wrapper.so',
  '/usr/local/lib/libnss_wrapper.so',
];

/** The login name of this process as ecflow_ui sees it (getpwuid). */
export function osLoginName(): string {
  return userInfo().username;
}

/** libnss_wrapper.so, or undefined when it is not installed. */
export function findNssWrapper(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const given = env['ECFLOW_REMOTE_NSS_WRAPPER'];
  if (given !== undefined && given !== '') return existsSync(given) ? given : undefined;
  for (const p of NSS_WRAPPER_CANDIDATES) if (existsSync(p)) return p;
  try {
    const out = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    const m = /libnss_wrapper\.so(?:\.\d+)*\s.*=>\s*(\S+)/.exec(out);
    return m?.[1];
  } catch {
    return undefined;
  }
}

/** A login name we can put into a passwd file. */
export function checkLoginName(name: string): string | undefined {
  return /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(name) ? undefined : `'${name}' is not a usable login name (letters, digits, '_', '.', '-')`;
}

/** The passwd and group files of nss_wrapper: our uid/gid, home and shell, under `name`. */
export function nssWrapperFiles(name: string): { passwd: string; group: string } {
  const me = userInfo();
  const group = groupName(me.gid) ?? name;
  return {
    passwd: `${name}:x:${me.uid}:${me.gid}:${name}:${me.homedir}:${me.shell ?? '/bin/sh'}\n`,
    group: `${group}:x:${me.gid}:\n`,
  };
}

function groupName(gid: number): string | undefined {
  try {
    const line = execFileSync('getent', ['group', String(gid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    const name = line.split(':')[0]?.trim();
    return name === undefined || name === '' ? undefined : name;
  } catch {
    return undefined;
  }
}

/** The environment that makes getpwuid() answer the name in `passwdFile`. */
export function nssWrapperEnv(library: string, passwdFile: string, groupFile: string, previousPreload: string | undefined): Record<string, string> {
  return {
    LD_PRELOAD: previousPreload === undefined || previousPreload === '' ? library : `${library}:${previousPreload}`,
    NSS_WRAPPER_PASSWD: passwdFile,
    NSS_WRAPPER_GROUP: groupFile,
  };
}
