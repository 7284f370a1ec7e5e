/**
 * Documented exit codes of `ecflow-remote` (README "Exit codes"). Each error code maps to one.
 */
import { ErrorCode, isEcflowError } from '../errors.js';

export const ExitCode = {
  OK: 0,
  /** The server answered with an error (ErrorCmd); its text is printed verbatim. */
  SERVER_ERROR: 1,
  /** Wrong command line or configuration. */
  USAGE: 2,
  /** Could not reach the server: connection refused/closed, TLS failure, timeout. */
  UNREACHABLE: 3,
  /** The server refused our identity (authentication/authorisation), or no password was found. */
  AUTH: 4,
  /** The server's reply or defs could not be decoded. */
  PROTOCOL: 5,
  /** Cancelled (Ctrl-C). */
  CANCELLED: 130,
  /** A bug in ecflow-remote. */
  INTERNAL: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeFor(err: unknown): ExitCode {
  if (!isEcflowError(err)) return ExitCode.INTERNAL;
  switch (err.code) {
    case ErrorCode.SERVER:
      return ExitCode.SERVER_ERROR;
    case ErrorCode.INVALID_ARGUMENT:
    case ErrorCode.CONFIG:
      return ExitCode.USAGE;
    case ErrorCode.CONNECT:
    case ErrorCode.CONNECTION_CLOSED:
    case ErrorCode.TLS:
    case ErrorCode.TIMEOUT:
      return ExitCode.UNREACHABLE;
    case ErrorCode.AUTH:
    case ErrorCode.PASSWORD:
      return ExitCode.AUTH;
    case ErrorCode.FRAME:
    case ErrorCode.DECODE:
    case ErrorCode.DEFS_PARSE:
    case ErrorCode.SYNC:
      return ExitCode.PROTOCOL;
    case ErrorCode.CANCELLED:
      return ExitCode.CANCELLED;
    default:
      return ExitCode.INTERNAL;
  }
}
