/**
 * The password hash an ecFlow client sends as `pswd_` (ecflow-protocol.md §12.2,
 * ecflow-protocol-5.17.md §3): traditional DES crypt(3) of the password, with the first two
 * characters of the user name as the salt. The server crypts its passwd-file entries the same way
 * and compares the strings.
 *
 * Pure module: wraps the pure-JS `unix-crypt-td-js`; no Node or DOM types.
 */

import unixCrypt from 'unix-crypt-td-js';
import { EcflowError, ErrorCode } from '../errors.js';
import { utf8Encode } from './utf8.js';

const SALT_CHAR = /^[./0-9A-Za-z]$/;

/**
 * `crypt(password, user)` as the ecFlow client computes it.
 *
 * The password is taken as UTF-8 bytes (what the C++ client passes to crypt(3)); as in crypt(3)
 * only its first 8 bytes count. The salt characters must be in `[./0-9A-Za-z]`, otherwise the
 * result would depend on the platform's crypt, so the call fails with INVALID_ARGUMENT.
 * The password never appears in an error message.
 *
 * @example
 * ecfCrypt('rootpw', 'root') // 'roPjs71m8S6JA'
 */
export function ecfCrypt(password: string, user: string): string {
  const salt = user.slice(0, 2);
  if (salt.length < 2 || ![...salt].every((c) => SALT_CHAR.test(c))) {
    throw new EcflowError(
      ErrorCode.INVALID_ARGUMENT,
      `cannot hash a password for user '${user}': ecFlow uses the first two characters of the user ` +
        `name as the crypt salt, and they must be two of [./0-9A-Za-z]`,
    );
  }
  return unixCrypt(Array.from(utf8Encode(password)), salt);
}
