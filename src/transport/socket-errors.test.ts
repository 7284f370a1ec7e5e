import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectError } from './socket-errors.js';
import { formatTarget } from './connector.js';
import { tlsError } from './tls.js';
import { EcflowError } from '../errors.js';

function sysError(code: string, message = `connect ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

test('connectError names host:port and explains common codes, keeping the cause', () => {
  const target = { host: 'vm', port: 3141 };
  const cases: [string, RegExp][] = [
    ['ECONNREFUSED', /^cannot connect to vm:3141: connection refused.*\(ECONNREFUSED\)$/],
    ['ENOTFOUND', /host name not found/],
    ['EHOSTUNREACH', /host unreachable/],
    ['ENETUNREACH', /network unreachable/],
    ['ETIMEDOUT', /timed out/],
  ];
  for (const [code, re] of cases) {
    const cause = sysError(code);
    const e = connectError(target, cause);
    assert.equal(e.code, 'CONNECT');
    assert.match(e.message, re);
    assert.equal(e.cause, cause);
  }
  assert.match(connectError(target, new Error('SOCKS refused')).message, /vm:3141: SOCKS refused/);
  const mine = new EcflowError('CONNECT', 'already mapped');
  assert.equal(connectError(target, mine), mine);
});

test('formatTarget brackets IPv6 addresses', () => {
  assert.equal(formatTarget({ host: '::1', port: 3141 }), '[::1]:3141');
  assert.equal(formatTarget({ host: 'vm', port: 1 }), 'vm:1');
});

test('tlsError classifies verify failures, non-TLS peers and others', () => {
  const target = { host: 'vm', port: 3141 };
  const cert = { path: '/h/.ecflowrc/ssl/server.crt', pem: Buffer.from('') };
  const verify = tlsError(target, cert, sysError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'));
  assert.equal(verify.code, 'TLS');
  assert.match(verify.message, /certificate verify failed.*\/h\/\.ecflowrc\/ssl\/server\.crt/);
  const wrongVersion = Object.assign(sysError('ERR_SSL_WRONG_VERSION_NUMBER', 'long openssl dump'), {
    reason: 'wrong version number',
  });
  assert.match(tlsError(target, cert, wrongVersion).message, /possibly not a TLS server \(wrong version number/);
  assert.match(tlsError(target, cert, undefined).message, /possibly not a TLS server \(connection closed\)/);
  assert.match(tlsError(target, cert, sysError('ERR_SSL_OTHER', 'odd')).message, /^TLS handshake with vm:3141 failed: odd/);
});
