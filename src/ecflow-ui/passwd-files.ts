/**
 * The passwd files ecflow_ui gets (ecflow-protocol.md §12.2, format 4.5.0):
 *
 * - ECF_CUSTOM_PASSWD: `<custom user> <host> <port> <password>` for servers with `custom_user`.
 *   ecflow_ui looks the password up under the host and port it connects to (servers.txt's), i.e.
 *   `localhost <forwarded port>` behind a route — so the lines of the user's own file, written
 *   for the real host and port, never match there. The password comes from the server's
 *   `password_file`, else from the file the environment's ECF_CUSTOM_PASSWD names, looked up under
 *   the server's REAL host and port (then this machine's host name), as ecflow_client would.
 * - ECF_PASSWD: the same for servers whose login user has a password (`password_file` without
 *   `custom_user`), under the login name ecflow_ui sends.
 *
 * Both files are written 0600 into a private per-run folder and removed when ecflow_ui exits. The
 * passwords never appear in messages, on command lines or in the environment (only the file paths).
 */

import { open } from 'node:fs/promises';
import { hostname } from 'node:os';
import { EcflowError, ErrorCode } from '../errors.js';
import { findPassword, parsePasswdFile } from '../protocol/passwd-file.js';

/** The version line of the passwd files we write. */
export const PASSWD_FILE_VERSION = '4.5.0';

/** One line to write. */
export interface PasswdLine {
  readonly user: string;
  readonly host: string;
  readonly port: number;
  readonly password: string;
}

/** A passwd file's text (version line first). */
export function formatPasswdFile(lines: readonly PasswdLine[], comment: string): string {
  for (const l of lines) {
    if (/[\s#]/.test(l.user) || /[\s#]/.test(l.host) || /[\s#]/.test(l.password) || l.password === '') {
      throw new EcflowError(ErrorCode.BUG, `passwd line for ${l.user}@${l.host}:${l.port} cannot be written`);
    }
  }
  return `${PASSWD_FILE_VERSION}\n# ${comment}\n${lines.map((l) => `${l.user} ${l.host} ${l.port} ${l.password}`).join('\n')}\n`;
}

/** Where a password was looked for, and the outcome (never the password in `describe`). */
export type PasswordLookup = { readonly found: true; readonly password: string; readonly source: string } | { readonly found: false; readonly reason: string };

/**
 * The password of `user` at the server's real `host`/`port` in `file` (a passwd file). A missing
 * file or no matching line gives `found: false` with the reason; a malformed file throws CONFIG.
 * A file readable by group or others gives a warning.
 */
export async function lookupPassword(
  file: string,
  query: { readonly user: string; readonly host: string; readonly port: number },
  onWarning: (message: string) => void,
): Promise<PasswordLookup> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return { found: false, reason: `cannot read ${file}: ${typeof code === 'string' ? code : String(e)}` };
  }
  let text: string;
  try {
    const { mode } = await handle.stat();
    if ((mode & 0o044) !== 0 && process.platform !== 'win32') {
      onWarning(`passwd file ${file} is readable by group or others (mode ${(mode & 0o777).toString(8)}); it holds plain-text passwords: chmod 600 ${file}`);
    }
    text = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
  const { entries } = parsePasswdFile(text, file);
  const password = findPassword(entries, { ...query, realHost: hostname() });
  return password === undefined
    ? { found: false, reason: `no line '${query.user} ${query.host} ${query.port} …' in ${file}` }
    : { found: true, password, source: file };
}
