/**
 * UTF-8 encoding and strict decoding for the pure protocol layer (ecflow-protocol.md §1: the frame
 * header counts UTF-8 bytes, the payload is UTF-8 JSON).
 *
 * Uses the platform's `TextEncoder`/`TextDecoder` (Node >= 11, every browser), reached through a
 * minimal local interface because src/protocol/ is compiled without the DOM and Node type libraries.
 *
 * Pure module: no Node or DOM types.
 */

import { EcflowBugError, EcflowError, ErrorCode } from '../errors.js';

interface MinimalTextEncoder {
  encode(input: string): Uint8Array;
}
interface MinimalTextDecoder {
  decode(input: Uint8Array): string;
}
interface TextCodecGlobals {
  TextEncoder?: new () => MinimalTextEncoder;
  TextDecoder?: new (label: string, options: { fatal: boolean; ignoreBOM: boolean }) => MinimalTextDecoder;
}

let encoder: MinimalTextEncoder | undefined;
let decoder: MinimalTextDecoder | undefined;

function codecs(): TextCodecGlobals {
  return globalThis as unknown as TextCodecGlobals;
}

/**
 * UTF-8 bytes of `text`. Lone surrogates become U+FFFD (as every UTF-8 encoder does).
 *
 * @example
 * utf8Encode('é'); // Uint8Array [0xc3, 0xa9]
 */
export function utf8Encode(text: string): Uint8Array {
  if (encoder === undefined) {
    const Ctor = codecs().TextEncoder;
    if (Ctor === undefined) throw new EcflowBugError('TextEncoder is not available on this platform');
    encoder = new Ctor();
  }
  return encoder.encode(text);
}

/**
 * Decode UTF-8 strictly: invalid sequences throw EcflowError(DECODE) instead of becoming U+FFFD.
 * A leading byte-order mark is kept (as U+FEFF), so decoding is the exact inverse of `utf8Encode`.
 *
 * @example
 * utf8Decode(new Uint8Array([0x68, 0x69])); // 'hi'
 */
export function utf8Decode(bytes: Uint8Array): string {
  if (decoder === undefined) {
    const Ctor = codecs().TextDecoder;
    if (Ctor === undefined) throw new EcflowBugError('TextDecoder is not available on this platform');
    decoder = new Ctor('utf-8', { fatal: true, ignoreBOM: true });
  }
  try {
    return decoder.decode(bytes);
  } catch (e) {
    throw new EcflowError(ErrorCode.DECODE, `payload of ${bytes.length} bytes is not valid UTF-8`, { cause: e });
  }
}

/**
 * Number of UTF-8 bytes `text` encodes to, without encoding it (lone surrogates count 3, like U+FFFD).
 *
 * @example
 * utf8ByteLength('aé€😀'); // 1 + 2 + 3 + 4 = 10
 */
export function utf8ByteLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    } else n += 3;
  }
  return n;
}

let lenientDecoder: MinimalTextDecoder | undefined;

/**
 * Decode UTF-8, replacing invalid sequences with U+FFFD. Used for server replies: the server copies
 * file contents (job output, scripts) and labels into its JSON byte for byte, so a reply may carry
 * bytes that are not UTF-8; losing a character is better than losing the whole reply.
 *
 * @example
 * utf8DecodeLenient(new Uint8Array([0x68, 0xff])); // 'h\ufffd'
 */
export function utf8DecodeLenient(bytes: Uint8Array): string {
  if (lenientDecoder === undefined) {
    const Ctor = codecs().TextDecoder;
    if (Ctor === undefined) throw new EcflowBugError('TextDecoder is not available on this platform');
    lenientDecoder = new Ctor('utf-8', { fatal: false, ignoreBOM: true });
  }
  return lenientDecoder.decode(bytes);
}
