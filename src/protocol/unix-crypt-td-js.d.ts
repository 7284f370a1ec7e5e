/**
 * Types for `unix-crypt-td-js` (a pure-JS port of the traditional DES-based crypt(3); the package
 * ships no types). Only what src/protocol/crypt.ts uses.
 */
declare module 'unix-crypt-td-js' {
  /**
   * Traditional crypt(3): `pw` and `salt` as strings (one byte per UTF-16 unit) or byte arrays.
   * Returns the 13-character hash, or its bytes when `returnBytes` is true.
   */
  function unixCryptTD(pw: string | readonly number[], salt: string | readonly number[], returnBytes?: false): string;
  function unixCryptTD(pw: string | readonly number[], salt: string | readonly number[], returnBytes: true): number[];
  export = unixCryptTD;
}
