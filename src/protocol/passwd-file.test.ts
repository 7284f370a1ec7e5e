import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findPassword, parsePasswdFile } from './passwd-file.js';
import { EcflowError } from '../errors.js';

const SAMPLE = [
  '# ecFlow client passwd file',
  '',
  '4.5.0   # version',
  'rouser vm 3141 ropw        # read-only',
  '\trwuser  localhost  3141\trwpw',
  '  # indented comment',
  'rouser vm 4141 other extra-field-ignored',
  'rouser localhost 3141 second-ignored',
  '',
].join('\n');

test('parsePasswdFile: version, comments, blank lines, trailing comments, tabs', () => {
  const f = parsePasswdFile(SAMPLE, 'sample');
  assert.equal(f.version, '4.5.0');
  assert.deepEqual(
    f.entries.map((e) => [e.user, e.host, e.port, e.password, e.line]),
    [
      ['rouser', 'vm', 3141, 'ropw', 4],
      ['rwuser', 'localhost', 3141, 'rwpw', 5],
      ['rouser', 'vm', 4141, 'other', 7],
      ['rouser', 'localhost', 3141, 'second-ignored', 8],
    ],
  );
});

test('parsePasswdFile: CRLF line ends, newer versions, comment-only file', () => {
  assert.equal(parsePasswdFile('5.9.2\r\nu h 1 p\r\n', 'f').entries[0]?.password, 'p');
  const empty = parsePasswdFile('# nothing\n\n', 'f');
  assert.equal(empty.version, undefined);
  assert.equal(empty.entries.length, 0);
  assert.equal(parsePasswdFile('4.5.0\n', 'f').entries.length, 0);
});

function assertConfigError(text: string, line: number, secret?: string): void {
  assert.throws(
    () => parsePasswdFile(text, '/home/u/.ecf_passwd'),
    (e: unknown) => {
      assert.ok(e instanceof EcflowError);
      assert.equal(e.code, 'CONFIG');
      assert.match(e.message, /\/home\/u\/\.ecf_passwd/);
      assert.match(e.message, new RegExp(`line ${line}\\b`));
      if (secret !== undefined) assert.ok(!e.message.includes(secret), e.message);
      return true;
    },
  );
}

test('parsePasswdFile: malformed files name the file and the line, never the password', () => {
  assertConfigError('rouser vm 3141 ropw-secret\n', 1, 'ropw-secret'); // no version line
  assertConfigError('# c\n4.4.9\nu h 1 p\n', 2); // too old
  assertConfigError('4.5\n', 1); // not x.y.z
  assertConfigError('4.5.0\nrouser vm 3141\n', 2);
  assertConfigError('4.5.0\n\nrouser vm port ropw-secret\n', 3, 'ropw-secret');
  assertConfigError('4.5.0\nrouser vm 99999 ropw-secret\n', 2, 'ropw-secret');
});

test('findPassword: host as typed first, then the real host name; port must match', () => {
  const { entries } = parsePasswdFile(SAMPLE, 'sample');
  assert.equal(findPassword(entries, { user: 'rouser', host: 'vm', port: 3141 }), 'ropw');
  assert.equal(findPassword(entries, { user: 'rouser', host: 'vm', port: 4141 }), 'other');
  // 'localhost' is in the file for rouser: the host as typed wins over the real host name.
  assert.equal(findPassword(entries, { user: 'rouser', host: 'localhost', port: 3141, realHost: 'vm' }), 'second-ignored');
  assert.equal(findPassword(entries, { user: 'rwuser', host: 'localhost', port: 3141, realHost: 'vm' }), 'rwpw');
  assert.equal(findPassword(entries, { user: 'rwuser', host: '127.0.0.1', port: 3141, realHost: 'localhost' }), 'rwpw');
  assert.equal(findPassword(entries, { user: 'rwuser', host: '127.0.0.1', port: 3141 }), undefined);
  assert.equal(findPassword(entries, { user: 'rouser', host: 'other', port: 3141, realHost: 'vm' }), 'ropw');
  assert.equal(findPassword(entries, { user: 'nobody', host: 'vm', port: 3141 }), undefined);
});

test('parsePasswdFile: any text either parses or fails with CONFIG (property)', () => {
  const lineArb = fc.oneof(
    fc.string(),
    fc.constantFrom('4.5.0', '# c', '', 'u h 3141 p', 'u h x p', 'u h', '  \t '),
  );
  fc.assert(
    fc.property(fc.array(lineArb, { maxLength: 12 }), (lines) => {
      try {
        const f = parsePasswdFile(lines.join('\n'), 'f');
        for (const e of f.entries) {
          assert.ok(e.user && e.host && e.password && Number.isInteger(e.port));
          assert.ok(!/[\s#]/.test(e.user + e.host + e.password));
        }
      } catch (e) {
        assert.ok(e instanceof EcflowError && e.code === 'CONFIG');
      }
    }),
  );
});

test('parsePasswdFile: generated entries round-trip (property)', () => {
  const word = fc.stringMatching(/^[A-Za-z0-9._!$%-]{1,12}$/);
  const entry = fc.record({ user: word, host: word, port: fc.integer({ min: 0, max: 65535 }), password: word });
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 8 }), (list) => {
      const text = ['4.5.0', ...list.map((e) => `${e.user} ${e.host} ${e.port} ${e.password} # c`)].join('\n');
      const f = parsePasswdFile(text, 'f');
      assert.deepEqual(
        f.entries.map(({ user, host, port, password }) => ({ user, host, port, password })),
        list.map((e) => ({ ...e })),
      );
    }),
  );
});
