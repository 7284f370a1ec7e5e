import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ecfCrypt } from './crypt.js';
import { EcflowError } from '../errors.js';

test('ecfCrypt matches the hashes captured from ecflow_client (§12.2)', () => {
  assert.equal(ecfCrypt('rootpw', 'root'), 'roPjs71m8S6JA');
  assert.equal(ecfCrypt('ropw', 'rouser'), 'rom0wh951j8Sg');
  assert.equal(ecfCrypt('rwpw', 'rwuser'), 'rwkD3oMHy5NoU');
});

test('ecfCrypt: salt is the first two characters of the user name, only 8 password bytes count', () => {
  assert.equal(ecfCrypt('rootpw', 'ro'), ecfCrypt('rootpw', 'rother'));
  assert.ok(ecfCrypt('x', 'ab').startsWith('ab'));
  assert.equal(ecfCrypt('12345678', 'ab'), ecfCrypt('12345678-and-more', 'ab'));
  assert.equal(ecfCrypt('x', 'ab').length, 13);
});

test('ecfCrypt: non-ASCII passwords are crypted as UTF-8 bytes (glibc crypt("pässwörd","ro"))', () => {
  assert.equal(ecfCrypt('pässwörd', 'root'), 'rotLPKdTMuxos');
});

test('ecfCrypt refuses salts outside [./0-9A-Za-z] without leaking the password', () => {
  for (const user of ['', 'r', 'r-x', 'ü1', ' a']) {
    assert.throws(
      () => ecfCrypt('s3cret-pw', user),
      (e: unknown) =>
        e instanceof EcflowError && e.code === 'INVALID_ARGUMENT' && !e.message.includes('s3cret-pw'),
    );
  }
  assert.doesNotThrow(() => ecfCrypt('x', './'));
  assert.doesNotThrow(() => ecfCrypt('x', 'Z9'));
});
