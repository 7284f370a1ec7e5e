/**
 * One request/reply exchange over a connected stream (ecflow-protocol.md §1): write one frame,
 * read exactly one frame, close. The server sends its reply and shuts the connection down; we
 * destroy our side as soon as the frame is complete.
 */

import type { Duplex } from 'node:stream';
import { EcflowError, ErrorCode } from '../errors.js';
import { FrameDecoder } from '../protocol/frame.js';
import { formatTarget, type ConnectTarget } from './connector.js';
import { systemErrorCode } from './socket-errors.js';

export interface ExchangeOptions {
  /** Used in error messages. */
  readonly target: ConnectTarget;
  readonly signal: AbortSignal;
  /** Largest reply payload accepted (FrameDecoder default when absent). */
  readonly maxFrameBytes?: number;
}

export interface ExchangeResult {
  /** The reply payload (JSON text). */
  readonly payload: string;
  /** Reply size including the 8-byte header. */
  readonly replyBytes: number;
}

/**
 * Write `frame` to `stream` and read one reply frame. The stream is destroyed when this settles.
 * Rejects with EcflowError CONNECTION_CLOSED (EOF or reset before a whole frame), FRAME/DECODE
 * (bad reply bytes), or `signal.reason` when aborted.
 *
 * @example
 * const { payload } = await exchangeFrame(socket, encodeFrame(json), { target, signal });
 */
export function exchangeFrame(stream: Duplex, frame: Uint8Array, options: ExchangeOptions): Promise<ExchangeResult> {
  const { target, signal } = options;
  return new Promise<ExchangeResult>((resolve, reject) => {
    const decoder = new FrameDecoder(
      options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes },
    );
    let replyBytes = 0;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onClose);
      stream.off('error', onError);
      stream.on('error', ignore); // late errors of a destroyed stream
      stream.destroy();
      outcome();
    };
    const closedError = (cause?: unknown) => {
      const where = formatTarget(target);
      const message =
        replyBytes === 0
          ? `${where} closed the connection without a reply: plain client on a TLS server, or the server died`
          : `${where} closed the connection in the middle of the reply (${describeProgress(decoder)}): the server died?`;
      const code = systemErrorCode(cause);
      return new EcflowError(ErrorCode.CONNECTION_CLOSED, code === undefined ? message : `${message} (${code})`, {
        cause,
      });
    };
    const onData = (chunk: Uint8Array) => {
      replyBytes += chunk.length;
      let payload: string | undefined;
      try {
        payload = decoder.push(chunk);
      } catch (e) {
        finish(() => reject(e));
        return;
      }
      if (payload !== undefined) {
        const p = payload;
        finish(() => resolve({ payload: p, replyBytes }));
      }
    };
    const onEnd = () => finish(() => reject(closedError()));
    const onClose = () => finish(() => reject(closedError()));
    const onError = (e: Error) => finish(() => reject(closedError(e)));
    const onAbort = () => finish(() => reject(signal.reason));

    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('close', onClose);
    stream.once('error', onError);
    stream.write(frame);
  });
}

function describeProgress(decoder: FrameDecoder): string {
  const expected = decoder.bytesExpected;
  return expected === undefined
    ? 'inside the frame header'
    : `${decoder.bytesReceived} of ${expected} payload bytes received`;
}

function ignore(): void {}
