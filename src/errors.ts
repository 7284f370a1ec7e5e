/**
 * The one error hierarchy of ecflow-remote.
 *
 * Match on `err.code`, never on the message. The server's own error text is kept verbatim in
 * `EcflowServerError.serverMessage`. A cancelled request is an `EcflowCancelledError`, not a failure.
 * Bugs (broken invariants) are `EcflowBugError` and are kept apart from expected failures.
 *
 * Pure module: no Node or DOM types (shared with the browser).
 */

export const ErrorCode = {
  /** Bad arguments or configuration given by the caller (validated before anything is sent). */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** A configuration file (TOML, passwd, white list) could not be read or is malformed. */
  CONFIG: 'CONFIG',
  /** A frame header is not 8 hex characters, or announces more than the maximum frame size. */
  FRAME: 'FRAME',
  /** A reply could not be decoded (bad JSON, unexpected cereal shape). */
  DECODE: 'DECODE',
  /** A defs text could not be parsed. */
  DEFS_PARSE: 'DEFS_PARSE',
  /** The server answered with an ErrorCmd; the text is kept verbatim. */
  SERVER: 'SERVER',
  /** The server refused the user: authentication or authorisation failed. */
  AUTH: 'AUTH',
  /** No password is known for a configured custom user / password file. */
  PASSWORD: 'PASSWORD',
  /** The TCP/TLS connection could not be made (refused, unreachable, DNS, SOCKS). */
  CONNECT: 'CONNECT',
  /** The connection was closed before a whole reply arrived (server crash, TLS mismatch). */
  CONNECTION_CLOSED: 'CONNECTION_CLOSED',
  /** TLS handshake or certificate verification failed. */
  TLS: 'TLS',
  /** The request did not complete within its timeout. */
  TIMEOUT: 'TIMEOUT',
  /** The request was cancelled by the caller (AbortSignal). Not a failure. */
  CANCELLED: 'CANCELLED',
  /** Our incremental model and the server's mementos disagree: a full sync is needed. */
  SYNC: 'SYNC',
  /** A broken invariant inside ecflow-remote. */
  BUG: 'BUG',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface EcflowErrorOptions {
  cause?: unknown;
}

/** Base class: every error ecflow-remote raises on purpose is one of these. */
export class EcflowError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: EcflowErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = 'EcflowError';
  }

  /** A plain object that can cross a WebSocket or be printed as JSON. */
  toJSON(): { code: ErrorCode; message: string; serverMessage?: string } {
    return { code: this.code, message: this.message };
  }
}

/**
 * The server replied with ErrorCmd. `serverMessage` is the server's text, verbatim.
 * Auth failures (5.9.2 and 5.15+ wordings) get code AUTH.
 */
export class EcflowServerError extends EcflowError {
  readonly serverMessage: string;
  /**
   * The request that failed, as ecflow_client describes it (e.g. `--suspend=/s1`), so a CLI can
   * print `Error: request( <context> ) failed!  Server reply: <serverMessage>`.
   */
  readonly context: string | undefined;
  constructor(serverMessage: string, options?: EcflowErrorOptions & { context?: string }) {
    const code = isAuthFailureText(serverMessage) ? ErrorCode.AUTH : ErrorCode.SERVER;
    super(code, serverMessage, options);
    this.serverMessage = serverMessage;
    this.context = options?.context;
    this.name = 'EcflowServerError';
  }
  override toJSON(): { code: ErrorCode; message: string; serverMessage: string; context?: string } {
    const json = { code: this.code, message: this.message, serverMessage: this.serverMessage };
    return this.context === undefined ? json : { ...json, context: this.context };
  }
}

/** The request was cancelled on purpose (AbortSignal, shutdown). */
export class EcflowCancelledError extends EcflowError {
  constructor(message = 'request cancelled', options?: EcflowErrorOptions) {
    super(ErrorCode.CANCELLED, message, options);
    this.name = 'EcflowCancelledError';
  }
}

/** A broken invariant: a bug in ecflow-remote, never an expected failure. */
export class EcflowBugError extends EcflowError {
  constructor(message: string, options?: EcflowErrorOptions) {
    super(ErrorCode.BUG, message, options);
    this.name = 'EcflowBugError';
  }
}

/**
 * True for the server's authentication/authorisation refusals, in both the 5.9.2 wording
 * ("[ authentication failed ] ...") and the 5.15+ wording ("Authentication (user command) failed",
 * "Authorisation (user) failed"). See ecflow-protocol-5.17.md §3.
 */
export function isAuthFailureText(text: string): boolean {
  return (
    text.includes('authentication failed') ||
    text.includes('Authentication (user command) failed') ||
    text.includes('Authorisation (user) failed')
  );
}

/** True when the server says our client handle is gone (restart, dropped): re-register, then sync. */
export function isStaleHandleText(text: string): boolean {
  return /handle\(\d+\) does not exist/.test(text);
}

export function isEcflowError(e: unknown): e is EcflowError {
  return e instanceof EcflowError;
}
