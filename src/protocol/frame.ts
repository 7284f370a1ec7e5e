/**
 * ecFlow framing (ecflow-protocol.md §1): an 8-byte ASCII header holding the payload length in
 * UTF-8 bytes as hexadecimal (canonically lowercase, right-aligned, space-padded: `     135`), then
 * the JSON payload. One request and one reply per TCP connection, so a reply is exactly one frame
 * followed by EOF.
 *
 * - `encodeFrame(payload)` builds the canonical frame.
 * - `parseFrameHeader(bytes)` reads a header the way the server does, but strictly: leading and
 *   trailing spaces, leading zeros and uppercase digits are accepted, anything else is refused.
 * - `FrameDecoder` assembles one reply from socket chunks of any segmentation. Chunks are kept by
 *   reference and concatenated once at the end (a 25 MB reply is never copied per chunk).
 *
 * Pure module: no Node or DOM types.
 */

import { EcflowError, ErrorCode } from '../errors.js';
import { utf8DecodeLenient, utf8Encode } from './utf8.js';

/** Length of the frame header in bytes. */
export const FRAME_HEADER_BYTES = 8;

/** Largest payload the header can announce (8 hex digits). */
export const MAX_FRAME_PAYLOAD_BYTES = 0xffffffff;

/**
 * Default limit of `FrameDecoder`: 512 MiB. A JavaScript string cannot hold much more than that
 * (V8: about 2^29 UTF-16 units), so a larger reply could not be decoded anyway.
 */
export const DEFAULT_MAX_FRAME_BYTES = 512 * 1024 * 1024;

const SPACE = 0x20;

/**
 * Frame a JSON payload: canonical 8-byte header, then the payload as UTF-8.
 * Throws EcflowError(FRAME) if the payload is longer than 0xFFFFFFFF bytes.
 *
 * @example
 * encodeFrame('{}'); // bytes of '       2{}'
 */
export function encodeFrame(payload: string): Uint8Array {
  const body = utf8Encode(payload);
  if (body.length > MAX_FRAME_PAYLOAD_BYTES) {
    throw new EcflowError(
      ErrorCode.FRAME,
      `payload of ${body.length} bytes is too large for an ecFlow frame (at most ${MAX_FRAME_PAYLOAD_BYTES} bytes)`,
    );
  }
  const frame = new Uint8Array(FRAME_HEADER_BYTES + body.length);
  writeHeader(frame, body.length);
  frame.set(body, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * The canonical header text for a payload length (`setw(8) << hex`).
 *
 * @example
 * formatFrameHeader(309); // '     135'
 */
export function formatFrameHeader(length: number): string {
  if (!Number.isInteger(length) || length < 0 || length > MAX_FRAME_PAYLOAD_BYTES) {
    throw new EcflowError(ErrorCode.FRAME, `frame length ${length} is not an integer in 0..${MAX_FRAME_PAYLOAD_BYTES}`);
  }
  return length.toString(16).padStart(FRAME_HEADER_BYTES, ' ');
}

function writeHeader(target: Uint8Array, length: number): void {
  const text = formatFrameHeader(length);
  for (let i = 0; i < FRAME_HEADER_BYTES; i++) target[i] = text.charCodeAt(i);
}

/**
 * Read a frame header (the first 8 bytes of `bytes`) and return the payload length it announces.
 *
 * Accepted: hex digits in either case, with leading zeros, surrounded by spaces (`     10f`,
 * `0000010f`, `10f     `, `     10F`). Refused with EcflowError(FRAME), quoting the header: fewer
 * than 8 bytes, no digit, any other character (tabs, signs, `0x`, a space between digits).
 *
 * @example
 * parseFrameHeader(new TextEncoder().encode('     135')); // 309
 */
export function parseFrameHeader(bytes: Uint8Array): number {
  if (bytes.length < FRAME_HEADER_BYTES) {
    throw new EcflowError(
      ErrorCode.FRAME,
      `frame header needs ${FRAME_HEADER_BYTES} bytes, got ${bytes.length} (${quoteHeader(bytes)})`,
    );
  }
  let i = 0;
  while (i < FRAME_HEADER_BYTES && bytes[i] === SPACE) i++;
  let value = 0;
  let digits = 0;
  while (i < FRAME_HEADER_BYTES) {
    const d = hexValue(bytes[i]!);
    if (d < 0) break;
    value = value * 16 + d;
    digits++;
    i++;
  }
  while (i < FRAME_HEADER_BYTES && bytes[i] === SPACE) i++;
  if (digits === 0 || i !== FRAME_HEADER_BYTES) {
    throw new EcflowError(
      ErrorCode.FRAME,
      `invalid frame header ${quoteHeader(bytes)}: expected a hexadecimal length padded with spaces to 8 characters`,
    );
  }
  return value;
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30; // 0-9
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10; // a-f
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10; // A-F
  return -1;
}

/** The first 8 bytes as a quoted, escaped string for error messages: `"  1x\u0000 "`. */
function quoteHeader(bytes: Uint8Array): string {
  let s = '';
  const n = Math.min(bytes.length, FRAME_HEADER_BYTES);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c) s += String.fromCharCode(b);
    else s += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `"${s}"`;
}

/** Options of `FrameDecoder`. */
export interface FrameDecoderOptions {
  /**
   * Largest payload accepted, in bytes (default 512 MiB). A header announcing more is refused
   * at once with EcflowError(FRAME), before any payload byte is buffered.
   */
  maxFrameBytes?: number;
}

type DecoderState = 'header' | 'payload' | 'done' | 'failed';

/**
 * Assembles one reply frame from the chunks of a socket, in any segmentation.
 *
 * `push(chunk)` returns the decoded payload once the frame is complete, `undefined` before that.
 * Chunks are kept by reference until the frame is complete: do not modify a chunk after pushing
 * it (Node sockets hand out fresh buffers, so this holds for socket data). Bytes after the frame
 * are an error (the server sends one frame and closes). Call `end()` when the connection ends: it
 * throws EcflowError(CONNECTION_CLOSED) if the frame is incomplete.
 *
 * @example
 * const decoder = new FrameDecoder();
 * socket.on('data', (chunk) => {
 *   const payload = decoder.push(chunk);
 *   if (payload !== undefined) handleReply(payload);
 * });
 * socket.on('end', () => decoder.end());
 */
export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private state: DecoderState = 'header';
  private readonly header = new Uint8Array(FRAME_HEADER_BYTES);
  private headerFill = 0;
  private expected: number | undefined;
  private received = 0;
  private chunks: Uint8Array[] = [];

  constructor(options: FrameDecoderOptions = {}) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isInteger(max) || max < 0) {
      throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `maxFrameBytes must be a non-negative integer, got ${max}`);
    }
    this.maxFrameBytes = max;
  }

  /** Payload length announced by the header; `undefined` until all 8 header bytes have arrived. */
  get bytesExpected(): number | undefined {
    return this.expected;
  }

  /** Payload bytes received so far (header bytes not counted). */
  get bytesReceived(): number {
    return this.received;
  }

  /** True once the whole frame has been received and returned by `push`. */
  get isComplete(): boolean {
    return this.state === 'done';
  }

  /**
   * Feed the next chunk. Returns the payload (decoded UTF-8) when this chunk completes the frame.
   * Throws EcflowError(FRAME) for a bad or oversized header or bytes after the frame, and
   * EcflowError(DECODE) for a payload that is not valid UTF-8. After an error the decoder refuses
   * further input.
   */
  push(chunk: Uint8Array): string | undefined {
    if (this.state === 'failed') {
      throw new EcflowError(ErrorCode.FRAME, 'frame decoder already failed; use a new decoder for a new connection');
    }
    if (chunk.length === 0) return undefined;
    if (this.state === 'done') {
      this.state = 'failed';
      throw new EcflowError(ErrorCode.FRAME, `${chunk.length} unexpected bytes after the end of the reply frame`);
    }
    try {
      return this.consume(chunk);
    } catch (e) {
      this.state = 'failed';
      this.chunks = [];
      throw e;
    }
  }

  /**
   * The connection has ended. Throws EcflowError(CONNECTION_CLOSED) when the frame is incomplete,
   * saying how far it got. Does nothing when the frame was complete (or the decoder already failed).
   */
  end(): void {
    if (this.state === 'done' || this.state === 'failed') return;
    this.state = 'failed';
    this.chunks = [];
    let where: string;
    if (this.headerFill === 0) {
      where = 'before any reply byte arrived (server crashed, or plain TCP talking to a TLS port or the reverse?)';
    } else if (this.expected === undefined) {
      where = `after ${this.headerFill} of ${FRAME_HEADER_BYTES} frame header bytes`;
    } else {
      where = `after ${this.received} of ${this.expected} payload bytes`;
    }
    throw new EcflowError(ErrorCode.CONNECTION_CLOSED, `connection closed ${where}`);
  }

  private consume(chunk: Uint8Array): string | undefined {
    let offset = 0;
    if (this.state === 'header') {
      const take = Math.min(FRAME_HEADER_BYTES - this.headerFill, chunk.length);
      this.header.set(chunk.subarray(0, take), this.headerFill);
      this.headerFill += take;
      offset = take;
      if (this.headerFill < FRAME_HEADER_BYTES) return undefined;
      const length = parseFrameHeader(this.header);
      if (length > this.maxFrameBytes) {
        throw new EcflowError(
          ErrorCode.FRAME,
          `reply frame announces ${length} bytes, more than the maximum of ${this.maxFrameBytes} bytes`,
        );
      }
      this.expected = length;
      this.state = 'payload';
    }
    const expected = this.expected!;
    const rest = chunk.length - offset;
    const missing = expected - this.received;
    if (rest > missing) {
      throw new EcflowError(
        ErrorCode.FRAME,
        `${rest - missing} unexpected bytes after the end of the reply frame (${expected} payload bytes announced)`,
      );
    }
    if (rest > 0) {
      this.chunks.push(offset === 0 ? chunk : chunk.subarray(offset));
      this.received += rest;
    }
    if (this.received < expected) return undefined;
    // Lenient: the server copies file contents byte for byte (job output need not be UTF-8).
    const payload = utf8DecodeLenient(concat(this.chunks, expected));
    this.chunks = [];
    this.state = 'done';
    return payload;
  }
}

/** Concatenate chunks whose lengths sum to `total`, copying only when there is more than one. */
function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
