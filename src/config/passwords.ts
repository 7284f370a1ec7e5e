/**
 * Passwords stored by the UI: one ecFlow passwd file (format 4.5.0, ecflow-protocol.md §12.2) per
 * server, `<config dir>/passwords/<server>.passwd`, mode 0600 in a 0700 folder, written
 * atomically. The server's `password_file` points at it, so the CLI, the UI and ecflow_client
 * (ECF_PASSWD / ECF_CUSTOM_PASSWD) can all use it.
 *
 * The password is never logged and never put in a message. The format has no quoting, so a
 * password with white space or '#' cannot be stored (INVALID_ARGUMENT, without the password).
 */

import { join } from 'node:path';
import { EcflowError, ErrorCode } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { NAME_PATTERN } from './config-types.js';

/** The passwd file `storePassword` writes for a server. */
export function passwordFilePath(configDir: string, serverName: string): string {
  return join(configDir, 'passwords', `${serverName}.passwd`);
}

/** A passwd-file field: no white space, no '#', no control characters, not empty. */
const FIELD = /^[^\s#\p{Cc}]+$/u;

/**
 * Write (or replace) the password of `user` for the server `host`:`port` and return the file's
 * path, to be set as the server's `passwordFile`. `host` is the server's host as configured (the
 * client looks passwords up by the host name as typed).
 *
 * @example
 * const passwordFile = await storePassword(config.dir, 'op', 'machine1', 4141, 'ecuser', secret);
 * // '/home/u/.config/ecflow-remote/passwords/op.passwd':
 * //   4.5.0
 * //   # ...
 * //   ecuser machine1 4141 <secret>
 */
export async function storePassword(
  configDir: string,
  serverName: string,
  host: string,
  port: number,
  user: string,
  password: string,
): Promise<string> {
  const bad = (what: string) => new EcflowError(ErrorCode.INVALID_ARGUMENT, `cannot store the password for server '${serverName}': ${what}`);
  if (!NAME_PATTERN.test(serverName)) {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `cannot store a password: invalid server name '${serverName}'`);
  }
  if (typeof user !== 'string' || !FIELD.test(user)) throw bad("the user name is empty or contains white space or '#'");
  if (typeof host !== 'string' || !FIELD.test(host)) throw bad("the host is empty or contains white space or '#'");
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`port ${String(port)} is not from 1 to 65535`);
  if (typeof password !== 'string' || password === '') throw bad('the password is empty');
  if (!FIELD.test(password)) {
    throw bad("the password contains white space, '#' or control characters, which an ecFlow passwd file cannot hold");
  }
  const path = passwordFilePath(configDir, serverName);
  const text = [
    '4.5.0',
    `# ecFlow password file for server '${serverName}', written by ecflow-remote. Keep it private (mode 0600).`,
    `${user} ${host} ${port} ${password}`,
    '',
  ].join('\n');
  await writeFileAtomic(path, text, 0o600);
  return path;
}
