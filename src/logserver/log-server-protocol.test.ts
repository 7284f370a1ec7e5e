// Tests of the log server protocol codec (ecflow-protocol.md §14): request lines, reply headers,
// listings, lenient decoding; property tests for the parsers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { EcflowError, ErrorCode } from '../errors.js';
import {
  decodeOutput,
  formatRequest,
  LogServerRefusedError,
  parseDeltaReply,
  parseGetfReply,
  parseListReply,
  parseVersion,
} from './log-server-protocol.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EcflowError, `expected EcflowError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe('formatRequest', () => {
  test('verb and arguments on one line', () => {
    assert.equal(formatRequest('version'), 'version\n');
    assert.equal(formatRequest('getf', ['/home/ops/s1/t1.1']), 'getf /home/ops/s1/t1.1\n');
    assert.equal(formatRequest('delta', ['734', '1795677291', 'x', '/a b/t.1']), 'delta 734 1795677291 x /a b/t.1\n');
  });
  test('line breaks, NUL and outer blanks are refused before anything is sent', () => {
    throwsCode(() => formatRequest('get', ['/a\nlist /etc']), ErrorCode.INVALID_ARGUMENT, /line break or NUL/);
    throwsCode(() => formatRequest('get', ['/a\0']), ErrorCode.INVALID_ARGUMENT);
    throwsCode(() => formatRequest('get', [' /a']), ErrorCode.INVALID_ARGUMENT, /blank/);
    throwsCode(() => formatRequest('get', ['/a ']), ErrorCode.INVALID_ARGUMENT, /blank/);
    throwsCode(() => formatRequest('get', ['']), ErrorCode.INVALID_ARGUMENT);
  });
});

describe('replies', () => {
  test('version', () => {
    assert.equal(parseVersion(bytes('2')), 2);
    throwsCode(() => parseVersion(bytes('hello')), ErrorCode.DECODE, /not a number/);
  });

  test('getf header then content; content may hold colons and any byte', () => {
    const f = parseGetfReply(latin1('0:1795677291:x:a:b:\xff\x00\n'));
    assert.equal(f.mtime, 1795677291);
    assert.equal(f.checksum, 'x');
    assert.deepEqual([...f.content], [...latin1('a:b:\xff\x00\n')]);
    const sha = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
    assert.equal(parseGetfReply(bytes(`0:1:${sha}:`)).checksum, sha);
    // An unreadable stat gives "0:::" (perl's fallback header).
    const blank = parseGetfReply(bytes('0:::text'));
    assert.equal(blank.mtime, 0);
    assert.equal(blank.checksum, '');
  });

  test('bad headers are DECODE errors that show the start of the reply', () => {
    throwsCode(() => parseGetfReply(bytes('hello world')), ErrorCode.DECODE, /starts "hello world"/);
    throwsCode(() => parseGetfReply(bytes('1:5:x:abc')), ErrorCode.DECODE, /flag '1'/);
    throwsCode(() => parseGetfReply(bytes('0:12a:x:abc')), ErrorCode.DECODE, /mtime/);
    throwsCode(() => parseDeltaReply(bytes('2:5:x:abc')), ErrorCode.DECODE, /flag '2'/);
  });

  test('delta: unchanged, appended, full', () => {
    assert.deepEqual(parseDeltaReply(bytes('1')), { kind: 'unchanged' });
    const a = parseDeltaReply(bytes('1:20:x:more\n'));
    assert.equal(a.kind, 'appended');
    if (a.kind === 'appended') {
      assert.equal(a.mtime, 20);
      assert.equal(decodeOutput(a.bytes), 'more\n');
    }
    const f = parseDeltaReply(bytes('0:21:x:whole\n'));
    assert.equal(f.kind, 'full');
    if (f.kind === 'full') assert.equal(decodeOutput(f.content), 'whole\n');
    // "1" followed by anything is a header, not "unchanged".
    throwsCode(() => parseDeltaReply(bytes('1\n')), ErrorCode.DECODE);
  });

  test('list: stat fields, paths with blanks, junk lines skipped', () => {
    const entries = parseListReply(
      bytes('33261 0 0 511 1795677280 1795677280 1795677281 /home/ops/s1/t1.job1\n' + 'garbage\n' + '33188 1000 100 7 1 2 3 /tmp/a dir/t1.2\n'),
    );
    assert.deepEqual(entries, [
      { mode: 33261, uid: 0, gid: 0, size: 511, atime: 1795677280, mtime: 1795677280, ctime: 1795677281, path: '/home/ops/s1/t1.job1' },
      { mode: 33188, uid: 1000, gid: 100, size: 7, atime: 1, mtime: 2, ctime: 3, path: '/tmp/a dir/t1.2' },
    ]);
  });

  test('decodeOutput never throws: invalid UTF-8 becomes U+FFFD', () => {
    assert.equal(decodeOutput(latin1('ok \xff\xfe end')), 'ok \ufffd\ufffd end');
    assert.equal(decodeOutput(bytes('été ✓')), 'été ✓');
  });

  test('the refusal names all three reasons the log server cannot tell apart', () => {
    const e = new LogServerRefusedError('logserver1:9316', 'getf /etc/passwd');
    assert.equal(e.code, ErrorCode.SERVER);
    assert.match(e.message, /does not exist, is outside the log server's LOGPATH, or the request is not understood/);
    assert.match(new LogServerRefusedError('h:1', 'get /a').message, /empty/);
  });
});

describe('properties', () => {
  test('getf/delta headers round-trip for any content', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('0', '1'),
        fc.nat({ max: 4_000_000_000 }),
        fc.oneof(fc.constant('x'), fc.stringMatching(/^[0-9a-f]{40}$/)),
        fc.uint8Array({ maxLength: 300 }),
        (flag, mtime, checksum, content) => {
          const head = latin1(`${flag}:${mtime}:${checksum}:`);
          const reply = new Uint8Array(head.length + content.length);
          reply.set(head);
          reply.set(content, head.length);
          const d = parseDeltaReply(reply);
          assert.notEqual(d.kind, 'unchanged');
          if (d.kind === 'unchanged') return;
          assert.equal(d.mtime, mtime);
          assert.equal(d.checksum, checksum);
          assert.deepEqual([...(d.kind === 'appended' ? d.bytes : d.content)], [...content]);
          if (flag === '0') assert.deepEqual([...parseGetfReply(reply).content], [...content]);
        },
      ),
    );
  });

  test('arbitrary replies: parsers return or throw EcflowError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (reply) => {
        for (const parse of [parseGetfReply, parseDeltaReply, parseListReply, parseVersion]) {
          try {
            parse(reply);
          } catch (e) {
            assert.ok(e instanceof EcflowError, String(e));
            assert.equal(e.code, ErrorCode.DECODE);
          }
        }
      }),
    );
  });
});
