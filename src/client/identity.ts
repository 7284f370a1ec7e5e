/**
 * Who a request is sent as (ecflow-protocol.md §12, ecflow-protocol-5.17.md §3): `user_`, `cu_`
 * and `pswd_` of every user command.
 *
 * Rules (the C++ client's, with the application able to give the password itself):
 * - **custom user** (`customUser`): `user_` = that name and `cu_` = true. The password comes from
 *   the application (`password`), else from `passwordFile`, else from the file named by
 *   `ECF_CUSTOM_PASSWD`. One must be found, otherwise EcflowError(PASSWORD) and nothing is sent.
 * - **login user**: `user_` = `remoteUser` (default: this process's login name). The password comes
 *   from `password`, else `passwordFile`, else the file named by `ECF_PASSWD`, when a line matches;
 *   otherwise no password.
 * - `pswd_` = `ecfCrypt(password, user)`, sent only when a password was found (a server without
 *   passwd files rejects any `pswd_`).
 * - File lookup: (user, host as typed, port), then (user, this machine's host name, port).
 *
 * Passwords are never logged or put in messages. A passwd file readable by group or others gets a
 * warning (not an error).
 */

import { open } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { EcflowError, ErrorCode } from '../errors.js';
import { ecfCrypt } from '../protocol/crypt.js';
import { findPassword, parsePasswdFile } from '../protocol/passwd-file.js';
import { formatTarget, type ConnectTarget } from '../transport/connector.js';

/**
 * The identity a client uses. All optional: by default requests go as the login name, with a
 * password only if `ECF_PASSWD` names a file with a matching line.
 *
 * @example
 * { customUser: 'rouser', password: 'ropw' }      // cu_ + pswd_ from the application
 * { remoteUser: 'ops', passwordFile: '~/.ecfpw' } // another login name, password from a file
 */
export type EcflowIdentity = {
  /** Name sent as `user_` for a login (non-custom) user. Default: `os.userInfo().username`. */
  readonly remoteUser?: string;
  /** Custom user: sent as `user_` with `cu_: true`; needs a password. */
  readonly customUser?: string;
} & (
  | { /** Plain-text password given by the application. */ readonly password?: string; readonly passwordFile?: never }
  | { /** passwd file (format 4.5.0) to look the password up in. */ readonly passwordFile?: string; readonly password?: never }
);

/** A resolved identity: what goes into every request. Holds the hash, never the password. */
export interface ResolvedIdentity {
  readonly user: string;
  readonly customUser: boolean;
  /** `pswd_`; absent when no password was found. */
  readonly passwordHash?: string;
  /** Where the password came from, for diagnostics: 'application', a file path, or 'none'. */
  readonly passwordSource: string;
}

/** Environment and machine facts used while resolving (injectable for tests). */
export interface IdentityContext {
  /** Environment to read ECF_PASSWD / ECF_CUSTOM_PASSWD from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** This machine's host name, for the second passwd-file lookup. Default `os.hostname()`. */
  readonly realHostName?: string;
  /** Receives warnings (group/other-readable passwd file). Default `process.emitWarning`. */
  readonly onWarning?: (message: string) => void;
}

/** The C++ client's text when a custom user has no password (ecflow-protocol.md §12.2). */
export const CUSTOM_USER_PASSWORD_MISSING =
  'Invalid custom user(ECF_USER || --user <user>) or authentication failed for ECF_CUSTOM_PASSWD | ECF_PASSWD';

/**
 * Resolve `identity` for requests to `target`. Reads at most one passwd file.
 * Throws INVALID_ARGUMENT (bad combination, empty or unusable user name), CONFIG (unreadable or
 * malformed passwd file) or PASSWORD (custom user without a password).
 *
 * @example
 * const who = await resolveIdentity({ customUser: 'rouser', password: 'ropw' }, { host: 'vm', port: 3141 });
 * // { user: 'rouser', customUser: true, passwordHash: 'rom0wh951j8Sg', passwordSource: 'application' }
 */
export async function resolveIdentity(
  identity: EcflowIdentity,
  target: ConnectTarget,
  context: IdentityContext = {},
): Promise<ResolvedIdentity> {
  const { customUser, remoteUser, password, passwordFile } = identity;
  if (customUser !== undefined && remoteUser !== undefined) {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, 'give either customUser or remoteUser, not both');
  }
  if (password !== undefined && passwordFile !== undefined) {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, 'give either password or passwordFile, not both');
  }
  const isCustom = customUser !== undefined;
  const user = customUser ?? remoteUser ?? loginName(context.env ?? process.env);
  if (user === '' || /\s/.test(user)) {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `invalid ecFlow user name '${user}': empty or containing white space`);
  }

  let found: { password: string; source: string } | undefined;
  let missing = 'the password given by the application is empty';
  if (password !== undefined && password !== '') {
    found = { password, source: 'application' };
  } else if (password === undefined) {
    const envName = isCustom ? 'ECF_CUSTOM_PASSWD' : 'ECF_PASSWD';
    const file = passwordFile ?? nonEmpty((context.env ?? process.env)[envName]);
    const fileName = passwordFile !== undefined ? `passwordFile ${file}` : `${envName} file ${file}`;
    missing = file === undefined ? `no password given, and ${envName} is not set` : `no matching line in ${fileName}`;
    if (file !== undefined) {
      const text = await readPasswdFile(file, passwordFile !== undefined, context);
      if (text === undefined) missing = `${fileName} does not exist`;
      else {
        const { entries } = parsePasswdFile(text, file);
        const pw = findPassword(entries, {
          user,
          host: target.host,
          port: target.port,
          realHost: context.realHostName ?? hostname(),
        });
        if (pw !== undefined) found = { password: pw, source: file };
      }
    }
  }

  if (found === undefined) {
    if (isCustom) {
      throw new EcflowError(
        ErrorCode.PASSWORD,
        `${CUSTOM_USER_PASSWORD_MISSING}: no password for custom user '${user}' at ${formatTarget(target)} ` +
          `(${missing})`,
      );
    }
    return { user, customUser: false, passwordSource: 'none' };
  }
  return { user, customUser: isCustom, passwordHash: ecfCrypt(found.password, user), passwordSource: found.source };
}

function loginName(env: Readonly<Record<string, string | undefined>>): string {
  try {
    return userInfo().username;
  } catch (e) {
    const name = nonEmpty(env['USER']) ?? nonEmpty(env['LOGNAME']);
    if (name !== undefined) return name;
    throw new EcflowError(
      ErrorCode.INVALID_ARGUMENT,
      'cannot tell the login name of this process (no passwd entry, no USER): give identity.remoteUser',
      { cause: e },
    );
  }
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

/**
 * Text of a passwd file. A file named by the environment that does not exist is ignored (as the
 * C++ client does); a file the application named must exist.
 */
async function readPasswdFile(path: string, required: boolean, context: IdentityContext): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    if (!required && (e as { code?: unknown }).code === 'ENOENT') return undefined;
    throw new EcflowError(ErrorCode.CONFIG, `cannot read passwd file ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const { mode } = await handle.stat();
    if ((mode & 0o044) !== 0 && process.platform !== 'win32') {
      const warn = context.onWarning ?? ((m: string) => process.emitWarning(m, { code: 'ECFLOW_PASSWD_FILE_MODE' }));
      warn(
        `passwd file ${path} is readable by group or others (mode ${(mode & 0o777).toString(8)}); ` +
          `it holds plain-text passwords: chmod 600 ${path}`,
      );
    }
    return await handle.readFile('utf8');
  } catch (e) {
    throw new EcflowError(ErrorCode.CONFIG, `cannot read passwd file ${path}: ${(e as Error).message}`, { cause: e });
  } finally {
    await handle.close();
  }
}
