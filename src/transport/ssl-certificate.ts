/**
 * Which certificate a TLS client trusts (ecflow-protocol.md §13): the server's self-signed
 * certificate, used as the only CA. ecFlow looks in `$HOME/.ecflowrc/ssl/` for `server.crt`, then
 * for `<host>.<port>.crt`, where `localhost` is replaced by this machine's host name.
 */

import { readFile } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { EcflowError, ErrorCode } from '../errors.js';
import { formatTarget, type ConnectTarget } from './connector.js';
import { systemErrorCode } from './socket-errors.js';

/** Where the trusted certificate comes from. All optional: the default is ecFlow's own lookup. */
export interface SslCertificateOptions {
  /** The certificate file to trust; skips the lookup. */
  readonly certFile?: string;
  /** Directory searched (default `$HOME/.ecflowrc/ssl`). */
  readonly certDir?: string;
  /**
   * `ECF_SSL=<host>.<port>` style: only `<certName>.crt` in the directory is tried
   * (e.g. `vm.3141`). Without it, `server.crt` then `<host>.<port>.crt`.
   */
  readonly certName?: string;
}

/** A certificate to trust, and the file it came from (for messages). */
export interface SslCertificate {
  readonly path: string;
  readonly pem: Buffer;
}

/**
 * The files tried for `target`, in order.
 *
 * @example
 * sslCertificateCandidates({ host: 'localhost', port: 3141 }, {}, { home: '/h', hostName: 'vm' })
 * // ['/h/.ecflowrc/ssl/server.crt', '/h/.ecflowrc/ssl/vm.3141.crt']
 */
export function sslCertificateCandidates(
  target: ConnectTarget,
  options: SslCertificateOptions = {},
  machine: { home?: string; hostName?: string } = {},
): string[] {
  if (options.certFile !== undefined) return [options.certFile];
  const dir = options.certDir ?? join(machine.home ?? homedir(), '.ecflowrc', 'ssl');
  if (options.certName !== undefined) return [join(dir, `${options.certName}.crt`)];
  const host = target.host === 'localhost' ? (machine.hostName ?? hostname()) : target.host;
  return [join(dir, 'server.crt'), join(dir, `${host}.${target.port}.crt`)];
}

/**
 * Read the first existing candidate. Throws EcflowError(TLS) listing every path tried when none
 * exists, or naming the file when it cannot be read.
 */
export async function loadSslCertificate(
  target: ConnectTarget,
  options: SslCertificateOptions = {},
): Promise<SslCertificate> {
  const candidates = sslCertificateCandidates(target, options);
  for (const path of candidates) {
    try {
      return { path, pem: await readFile(path) };
    } catch (e) {
      if (systemErrorCode(e) === 'ENOENT') continue;
      throw new EcflowError(ErrorCode.TLS, `cannot read the TLS certificate ${path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  throw new EcflowError(
    ErrorCode.TLS,
    `no TLS certificate for ${formatTarget(target)}: tried ${candidates.join(', ')}. ` +
      `Copy the server's certificate (server.crt of the server) to one of these paths.`,
  );
}
