/**
 * Errors that cross the WebSocket (ui-protocol UiError): EcflowError codes from src/errors.ts, the
 * ecFlow server's own text verbatim in `serverMessage`, and the UI's own refusals (UiErrorCode).
 */

import { EcflowError, EcflowServerError, ErrorCode } from '../errors.js';
import { UiErrorCode, type UiError } from './ui-protocol.js';

export type UiErrorCode = (typeof UiErrorCode)[keyof typeof UiErrorCode];

/** A request the local server refuses on its own (read-only server, admin mode, stale epoch, …). */
export class UiRefusal extends Error {
  readonly code: UiErrorCode;
  constructor(code: UiErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'UiRefusal';
  }
}

/**
 * Any thrown value as a UiError.
 *
 * @example toUiError(new EcflowServerError('ecflow:ClientInvoker: … does not exist')) // { code: 'SERVER', message, serverMessage }
 */
export function toUiError(e: unknown): UiError {
  if (e instanceof UiRefusal) return { code: e.code, message: e.message };
  if (e instanceof EcflowServerError) return { code: e.code, message: e.message, serverMessage: e.serverMessage };
  if (e instanceof EcflowError) return { code: e.code, message: e.message };
  return { code: ErrorCode.BUG, message: e instanceof Error ? e.message : String(e) };
}

export function badRequest(message: string): UiRefusal {
  return new UiRefusal(UiErrorCode.BAD_REQUEST, message);
}
