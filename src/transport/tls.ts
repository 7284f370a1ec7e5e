/**
 * TLS on top of a connected stream (ecflow-protocol.md §13), whatever the connector returned
 * (direct TCP or SOCKS). ecFlow trusts only the server's own certificate, as CA, and does no
 * host-name check; we do the same: `ca` = that certificate, `checkServerIdentity` accepts any name.
 */

import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect, type TLSSocket } from 'node:tls';
import { EcflowError, ErrorCode } from '../errors.js';
import { formatTarget, type ConnectTarget } from './connector.js';
import type { SslCertificate } from './ssl-certificate.js';
import { systemErrorCode } from './socket-errors.js';

/** OpenSSL/Node verification failures: the server's certificate is not the trusted one. */
const VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'INVALID_CA',
  'INVALID_PURPOSE',
]);

/** The peer spoke something other than TLS, or hung up during the handshake. */
const NOT_TLS_CODES = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'ERR_SSL_HTTP_REQUEST',
  'ECONNRESET',
  'EPIPE',
]);

/**
 * Run the TLS handshake over `stream`. Resolves with the secure socket once the server's
 * certificate verified against `certificate`; rejects with EcflowError(TLS) (certificate verify
 * failed / possibly not a TLS server / other handshake error), or with `signal.reason` when
 * aborted. On failure the TLS socket and `stream` are destroyed.
 *
 * @example
 * const tcp = await directConnector(target, signal);
 * const secure = await startTls(tcp, target, await loadSslCertificate(target), signal);
 */
export function startTls(
  stream: Duplex,
  target: ConnectTarget,
  certificate: SslCertificate,
  signal: AbortSignal,
): Promise<TLSSocket> {
  return new Promise<TLSSocket>((resolve, reject) => {
    if (signal.aborted) {
      stream.destroy();
      reject(signal.reason);
      return;
    }
    const secure = connect({
      socket: stream,
      ca: certificate.pem,
      checkServerIdentity: () => undefined,
      // SNI must be a name, never an address.
      ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
    });
    const cleanup = () => {
      secure.off('secureConnect', onSecure);
      secure.off('error', onError);
      secure.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (e: unknown) => {
      cleanup();
      secure.destroy();
      stream.destroy();
      reject(e);
    };
    const onSecure = () => {
      cleanup();
      resolve(secure);
    };
    const onError = (e: Error) => fail(tlsError(target, certificate, e));
    const onClose = () => fail(tlsError(target, certificate, undefined));
    const onAbort = () => fail(signal.reason);
    secure.once('secureConnect', onSecure);
    secure.once('error', onError);
    secure.once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** EcflowError(TLS) for a failed handshake; `e` undefined = the peer closed without an error. */
export function tlsError(target: ConnectTarget, certificate: SslCertificate, e: Error | undefined): EcflowError {
  const where = formatTarget(target);
  const code = e === undefined ? undefined : systemErrorCode(e);
  // OpenSSL errors carry a short `reason` ('wrong version number'); their message is a long dump.
  const reason = (e as { reason?: unknown } | undefined)?.reason;
  const text = typeof reason === 'string' ? reason : e?.message;
  const detail = e === undefined ? 'connection closed' : code === undefined ? String(text) : `${text} (${code})`;
  let message: string;
  if (code !== undefined && VERIFY_CODES.has(code)) {
    message =
      `TLS handshake with ${where} failed: certificate verify failed: ${detail}. ` +
      `The server's certificate is not the one trusted in ${certificate.path}.`;
  } else if (e === undefined || (code !== undefined && NOT_TLS_CODES.has(code))) {
    message = `TLS handshake with ${where} failed: possibly not a TLS server (${detail})`;
  } else {
    message = `TLS handshake with ${where} failed: ${detail}`;
  }
  return new EcflowError(ErrorCode.TLS, message, e === undefined ? undefined : { cause: e });
}
