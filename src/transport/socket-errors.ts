/**
 * Socket errors (`err.code` from node:net/dns) turned into EcflowError CONNECT messages that name
 * the server, e.g. "cannot connect to vm:3141: connection refused (ECONNREFUSED): is the server
 * running on that port?".
 */

import { EcflowError, ErrorCode } from '../errors.js';
import { formatTarget, type ConnectTarget } from './connector.js';

const EXPLANATIONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused: is the server running on that port?',
  ENOTFOUND: 'host name not found (DNS)',
  EAI_AGAIN: 'host name lookup failed temporarily (DNS)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host is down',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset by peer',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'connection closed by peer',
  EADDRNOTAVAIL: 'address not available',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted (firewall?)',
};

/** The `code` of a Node system error, if any. */
export function systemErrorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * EcflowError(CONNECT) for a failed connection attempt, keeping the original as `cause`.
 *
 * @example
 * connectError({ host: 'vm', port: 3141 }, err)
 * // "cannot connect to vm:3141: connection refused: is the server running on that port? (ECONNREFUSED)"
 */
export function connectError(target: ConnectTarget, e: unknown): EcflowError {
  if (e instanceof EcflowError) return e;
  const code = systemErrorCode(e);
  const explanation = code === undefined ? undefined : EXPLANATIONS[code];
  const detail =
    explanation !== undefined
      ? `${explanation} (${code})`
      : e instanceof Error
        ? e.message
        : String(e);
  return new EcflowError(ErrorCode.CONNECT, `cannot connect to ${formatTarget(target)}: ${detail}`, { cause: e });
}
