/**
 * ecFlow passwd files, client side (ecflow-protocol.md §12.2): the files named by ECF_PASSWD
 * (login user) and ECF_CUSTOM_PASSWD (custom user), same format as the server's:
 *
 * ```
 * 4.5.0                            # version line, first (>= 4.5.0)
 * # comment
 * <user> <host> <port> <password>  # plain-text password; trailing comments allowed
 * ```
 *
 * As in ecFlow, `#` starts a comment anywhere on a line (a password cannot contain `#`), tokens are
 * separated by white space and tokens after the fourth are ignored.
 *
 * This module takes text; reading the file (and checking its permissions) is src/client's job.
 * Passwords never appear in error messages: a bad line is named by file and line number only.
 *
 * Pure module: no Node or DOM types.
 */

import { EcflowError, ErrorCode } from '../errors.js';

export interface PasswdEntry {
  readonly user: string;
  readonly host: string;
  readonly port: number;
  readonly password: string;
  /** 1-based line number in the file. */
  readonly line: number;
}

export interface PasswdFile {
  /** The version line, e.g. `4.5.0`; undefined when the file has no line other than comments. */
  readonly version: string | undefined;
  readonly entries: readonly PasswdEntry[];
}

export interface PasswordQuery {
  readonly user: string;
  /** The server's host name as the application typed it (may be `localhost`). */
  readonly host: string;
  readonly port: number;
  /** This machine's own host name, tried second (ecFlow does so for `localhost`). */
  readonly realHost?: string;
}

const VERSION = /^(\d+)\.(\d+)\.(\d+)$/;
const PORT = /^\d{1,5}$/;

/**
 * Parse a passwd file. `source` names the file in error messages.
 * Throws EcflowError(CONFIG) naming the file and the line (never its content) when the version line
 * is missing or too old, or a user line has fewer than four fields or a non-numeric port.
 *
 * @example
 * parsePasswdFile('4.5.0\nrouser vm 3141 secret # ops\n', '~/.ecflowrc/passwd').entries
 * // [{ user: 'rouser', host: 'vm', port: 3141, password: 'secret', line: 2 }]
 */
export function parsePasswdFile(text: string, source: string): PasswdFile {
  let version: string | undefined;
  const entries: PasswdEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i] ?? '';
    const hash = raw.indexOf('#');
    const tokens = (hash < 0 ? raw : raw.slice(0, hash)).trim().split(/\s+/).filter((t) => t !== '');
    if (tokens.length === 0) continue;
    if (version === undefined) {
      version = checkVersion(tokens[0] ?? '', source, lineNo);
      continue;
    }
    const [user, host, port, password] = tokens;
    if (user === undefined || host === undefined || port === undefined || password === undefined) {
      throw configError(source, lineNo, `expected '<user> <host> <port> <password>' but found ${tokens.length} field(s)`);
    }
    if (!PORT.test(port) || Number(port) > 65535) {
      throw configError(source, lineNo, 'the port (third field) must be a number from 0 to 65535');
    }
    entries.push({ user, host, port: Number(port), password, line: lineNo });
  }
  return { version, entries };
}

/**
 * The password for (user, host-as-typed, port), else for (user, realHost, port): the C++ client's
 * lookup order. The first matching line wins. Undefined when no line matches.
 */
export function findPassword(entries: readonly PasswdEntry[], query: PasswordQuery): string | undefined {
  const match = (host: string) =>
    entries.find((e) => e.user === query.user && e.host === host && e.port === query.port);
  const found = match(query.host) ?? (query.realHost === undefined ? undefined : match(query.realHost));
  return found?.password;
}

function checkVersion(token: string, source: string, lineNo: number): string {
  const m = VERSION.exec(token);
  if (!m) {
    throw configError(source, lineNo, "the first line must be the file's version, e.g. 4.5.0");
  }
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major < 4 || (major === 4 && minor < 5)) {
    throw configError(source, lineNo, `version ${token} is too old: passwd files need a version >= 4.5.0`);
  }
  return token;
}

function configError(source: string, lineNo: number, what: string): EcflowError {
  return new EcflowError(ErrorCode.CONFIG, `passwd file ${source}, line ${lineNo}: ${what}`);
}
