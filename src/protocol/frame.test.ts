// Tests of the ecFlow framing (ecflow-protocol.md §1) and the UTF-8 helpers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { EcflowError, ErrorCode } from '../errors.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  FrameDecoder,
  encodeFrame,
  formatFrameHeader,
  parseFrameHeader,
} from './frame.js';
import { loadVectors, rawJson, vectorKind } from './test-vectors.js';
import { utf8ByteLength, utf8Decode, utf8Encode } from './utf8.js';

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const text = (b: Uint8Array): string => String.fromCharCode(...b);

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EcflowError, `expected EcflowError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

/** Feed `bytes` to a new decoder cut at `cuts`; returns the payload (or undefined) and asserts completion. */
function decodeIn(bytes: Uint8Array, cuts: number[]): string | undefined {
  const d = new FrameDecoder();
  let result: string | undefined;
  let at = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length)].sort((a, b) => a - b).concat(bytes.length)) {
    const r = d.push(bytes.subarray(at, cut));
    if (r !== undefined) {
      assert.equal(result, undefined, 'payload returned twice');
      result = r;
    }
    at = cut;
  }
  d.end();
  return result;
}

describe('encodeFrame', () => {
  test('canonical header: lowercase hex, right-aligned, space-padded', () => {
    assert.equal(text(encodeFrame('')), '       0');
    assert.equal(text(encodeFrame('{}')), '       2{}');
    assert.equal(formatFrameHeader(309), '     135');
    assert.equal(formatFrameHeader(2530809), '  269df9');
    assert.equal(formatFrameHeader(0xffffffff), 'ffffffff');
  });

  test('the header counts UTF-8 bytes, not characters', () => {
    const frame = encodeFrame('é€😀');
    assert.equal(text(frame.subarray(0, 8)), '       9');
    assert.equal(utf8Decode(frame.subarray(8)), 'é€😀');
  });

  test('formatFrameHeader refuses lengths that do not fit', () => {
    throwsCode(() => formatFrameHeader(0x100000000), ErrorCode.FRAME);
    throwsCode(() => formatFrameHeader(-1), ErrorCode.FRAME);
    throwsCode(() => formatFrameHeader(1.5), ErrorCode.FRAME);
  });

  test('every captured ecFlow frame is reproduced byte for byte from its JSON', async () => {
    let n = 0;
    for (const set of ['5.9.2', '5.17'] as const) {
      for (const v of await loadVectors(set)) {
        if (vectorKind(v) === 'logsvr' || vectorKind(v) === 'http') continue;
        for (const raw of [v.request_raw, v.response_raw, v.response_raw_592_live ?? '']) {
          const json = rawJson(raw);
          if (json === undefined) continue;
          assert.deepEqual(encodeFrame(json), utf8Encode(raw), `${set}/${v.file}`);
          n++;
        }
      }
    }
    assert.ok(n > 1500, `only ${n} frames compared`);
  });
});

describe('parseFrameHeader', () => {
  test('accepts what the server accepts: spaces, leading zeros, uppercase', () => {
    const accepted: [string, number][] = [
      ['     10f', 0x10f],
      ['0000010f', 0x10f],
      ['10f     ', 0x10f],
      ['     10F', 0x10f],
      ['  10f   ', 0x10f],
      ['  AbCdE ', 0xabcde],
      ['       0', 0],
      ['00000000', 0],
      ['ffffffff', 0xffffffff],
      ['FFFFFFFF', 0xffffffff],
      ['1       ', 1],
    ];
    for (const [header, length] of accepted) assert.equal(parseFrameHeader(ascii(header)), length, header);
  });

  test('reads only the first 8 bytes', () => {
    assert.equal(parseFrameHeader(ascii('       2{}')), 2);
  });

  test('refuses anything else with FRAME and quotes the header', () => {
    const refused = [
      '        ',
      '   -10f ',
      '   +10f ',
      '  0x10f ',
      '\t    10f',
      '  1 0f  ',
      '10f\n    ',
      '     10g',
      '{"21Clie',
      '\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000',
    ];
    for (const header of refused) {
      throwsCode(() => parseFrameHeader(ascii(header)), ErrorCode.FRAME, /invalid frame header "/);
    }
    throwsCode(() => parseFrameHeader(ascii('  1x    ')), ErrorCode.FRAME, /"  1x    "/);
    throwsCode(() => parseFrameHeader(ascii('\t      1')), ErrorCode.FRAME, /"\\x09      1"/);
  });

  test('refuses a short header', () => {
    throwsCode(() => parseFrameHeader(ascii('   12')), ErrorCode.FRAME, /needs 8 bytes, got 5/);
  });
});

describe('FrameDecoder', () => {
  const payload = '{"k":"héllo € 😀"}';
  const frame = encodeFrame(payload);

  test('round trip in one chunk; the payload is returned exactly once', () => {
    const d = new FrameDecoder();
    assert.equal(d.bytesExpected, undefined);
    assert.equal(d.push(frame), payload);
    assert.equal(d.isComplete, true);
    assert.equal(d.bytesExpected, utf8ByteLength(payload));
    assert.equal(d.bytesReceived, utf8ByteLength(payload));
    assert.equal(d.push(new Uint8Array(0)), undefined);
    d.end();
  });

  test('split at every byte position (header splits included)', () => {
    for (let i = 0; i <= frame.length; i++) assert.equal(decodeIn(frame, [i]), payload, `cut at ${i}`);
  });

  test('split at every pair of positions', () => {
    for (let i = 1; i < frame.length; i++) {
      for (let j = i; j < frame.length; j++) assert.equal(decodeIn(frame, [i, j]), payload, `cuts ${i},${j}`);
    }
  });

  test('one byte at a time, with progress', () => {
    const d = new FrameDecoder();
    for (let i = 0; i < frame.length - 1; i++) {
      assert.equal(d.push(frame.subarray(i, i + 1)), undefined);
      if (i < 7) assert.equal(d.bytesExpected, undefined);
    }
    assert.equal(d.bytesReceived, frame.length - 9);
    assert.equal(d.push(frame.subarray(frame.length - 1)), payload);
  });

  test('an empty payload completes with the header', () => {
    const d = new FrameDecoder();
    assert.equal(d.push(ascii('     ')), undefined);
    assert.equal(d.push(ascii('  0')), '');
    d.end();
  });

  test('accepts the non-canonical header forms', () => {
    assert.equal(new FrameDecoder().push(ascii('0000000210')), '10');
    assert.equal(new FrameDecoder().push(ascii('2       10')), '10');
  });

  test('a header announcing more than maxFrameBytes is refused before any payload is buffered', () => {
    const d = new FrameDecoder();
    throwsCode(() => d.push(ascii('7fffffff')), ErrorCode.FRAME, /2147483647 bytes.*maximum of 536870912/);
    assert.equal(DEFAULT_MAX_FRAME_BYTES, 536870912);
    const small = new FrameDecoder({ maxFrameBytes: 10 });
    throwsCode(() => small.push(ascii('       b')), ErrorCode.FRAME, /11 bytes, more than the maximum of 10/);
    assert.equal(new FrameDecoder({ maxFrameBytes: 10 }).push(ascii('       a0123456789')), '0123456789');
    // A failed decoder refuses further input.
    throwsCode(() => d.push(ascii('x')), ErrorCode.FRAME, /already failed/);
  });

  test('bad maxFrameBytes is an argument error', () => {
    throwsCode(() => new FrameDecoder({ maxFrameBytes: -1 }), ErrorCode.INVALID_ARGUMENT);
  });

  test('a bad header is a FRAME error', () => {
    throwsCode(() => new FrameDecoder().push(ascii('HTTP/1.1 200 OK')), ErrorCode.FRAME, /"HTTP\/1.1"/);
  });

  test('bytes after the frame are an error, in the same chunk or later', () => {
    throwsCode(() => new FrameDecoder().push(ascii('       2{}x')), ErrorCode.FRAME, /1 unexpected bytes after/);
    const d = new FrameDecoder();
    assert.equal(d.push(ascii('       2{}')), '{}');
    throwsCode(() => d.push(ascii('xy')), ErrorCode.FRAME, /2 unexpected bytes after/);
  });

  test('end() on an incomplete frame is CONNECTION_CLOSED, saying how far it got', () => {
    const none = new FrameDecoder();
    throwsCode(() => none.end(), ErrorCode.CONNECTION_CLOSED, /before any reply byte/);
    const header = new FrameDecoder();
    header.push(ascii('   '));
    throwsCode(() => header.end(), ErrorCode.CONNECTION_CLOSED, /after 3 of 8 frame header bytes/);
    const body = new FrameDecoder();
    body.push(ascii('       5ab'));
    throwsCode(() => body.end(), ErrorCode.CONNECTION_CLOSED, /after 2 of 5 payload bytes/);
  });

  test('invalid UTF-8 in a reply becomes U+FFFD (job output is copied byte for byte), strict decoding refuses it', () => {
    assert.equal(new FrameDecoder().push(Uint8Array.of(...ascii('       2'), 0xc3, 0x28)), '\ufffd(');
    assert.equal(new FrameDecoder().push(Uint8Array.of(...ascii('       3'), 0x61, 0xff, 0x62)), 'a\ufffdb');
    throwsCode(() => utf8Decode(Uint8Array.of(0xc3, 0x28)), ErrorCode.DECODE);
    throwsCode(() => utf8Decode(Uint8Array.of(0xed, 0xa0, 0x80)), ErrorCode.DECODE);
    throwsCode(() => utf8Decode(Uint8Array.of(0xc0, 0xaf)), ErrorCode.DECODE);
  });

  test('a large payload in many chunks', () => {
    const big = `{"x":"${'é'.repeat(3_000_000)}"}`; // about 6 MB
    const bytes = encodeFrame(big);
    const d = new FrameDecoder();
    let result: string | undefined;
    for (let at = 0; at < bytes.length; at += 65536) {
      result = d.push(bytes.subarray(at, Math.min(at + 65536, bytes.length)));
    }
    assert.equal(result?.length, big.length);
    assert.equal(result, big);
  });

  test('property: any payload, any segmentation, round-trips', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.array(fc.nat({ max: 1300 }), { maxLength: 12 }),
        (p, cuts) => {
          const bytes = encodeFrame(p);
          assert.equal(utf8ByteLength(p), bytes.length - 8);
          assert.equal(decodeIn(bytes, cuts), p);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('property: garbage bytes give a payload, undefined or an EcflowError, never anything else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          // a plausible header followed by garbage
          fc.tuple(fc.nat({ max: 40 }), fc.uint8Array({ maxLength: 48 })).map(([n, rest]) =>
            Uint8Array.of(...ascii(formatFrameHeader(n)), ...rest),
          ),
        ),
        fc.array(fc.nat({ max: 64 }), { maxLength: 6 }),
        fc.boolean(),
        (bytes, cuts, callEnd) => {
          const d = new FrameDecoder({ maxFrameBytes: 1000 });
          let at = 0;
          try {
            for (const cut of [...cuts].sort((a, b) => a - b).concat(bytes.length)) {
              if (cut < at) continue;
              const r = d.push(bytes.subarray(at, cut));
              assert.ok(r === undefined || typeof r === 'string');
              at = cut;
            }
            if (callEnd) d.end();
          } catch (e) {
            assert.ok(e instanceof EcflowError, `unexpected ${String(e)}`);
            assert.ok(
              [ErrorCode.FRAME, ErrorCode.DECODE, ErrorCode.CONNECTION_CLOSED].includes(
                e.code as 'FRAME' | 'DECODE' | 'CONNECTION_CLOSED',
              ),
            );
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('utf8', () => {
  test('byte length matches the encoder, including lone surrogates', () => {
    assert.equal(utf8ByteLength('aé€😀'), 10);
    assert.equal(utf8ByteLength('\ud800'), utf8Encode('\ud800').length);
    assert.equal(utf8ByteLength('\udc00x'), utf8Encode('\udc00x').length);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (s) => {
        assert.equal(utf8ByteLength(s), utf8Encode(s).length);
        assert.equal(utf8Decode(utf8Encode(s)), s);
      }),
    );
  });

  test('a leading byte-order mark is kept', () => {
    assert.equal(utf8Decode(utf8Encode('\ufeff{}')), '\ufeff{}');
  });
});
