import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSslCertificate, sslCertificateCandidates } from './ssl-certificate.js';
import { EcflowError } from '../errors.js';

const machine = { home: '/h', hostName: 'vm' };

test('candidates: server.crt first, then <host>.<port>.crt with localhost -> host name', () => {
  assert.deepEqual(sslCertificateCandidates({ host: 'localhost', port: 3141 }, {}, machine), [
    '/h/.ecflowrc/ssl/server.crt',
    '/h/.ecflowrc/ssl/vm.3141.crt',
  ]);
  assert.deepEqual(sslCertificateCandidates({ host: 'ecfg01', port: 4000 }, {}, machine), [
    '/h/.ecflowrc/ssl/server.crt',
    '/h/.ecflowrc/ssl/ecfg01.4000.crt',
  ]);
  assert.deepEqual(sslCertificateCandidates({ host: '127.0.0.1', port: 1 }, { certDir: '/d' }, machine), [
    '/d/server.crt',
    '/d/127.0.0.1.1.crt',
  ]);
});

test('candidates: certName (ECF_SSL=<host>.<port>) and certFile overrides', () => {
  assert.deepEqual(sslCertificateCandidates({ host: 'x', port: 1 }, { certName: 'vm.3141' }, machine), [
    '/h/.ecflowrc/ssl/vm.3141.crt',
  ]);
  assert.deepEqual(sslCertificateCandidates({ host: 'x', port: 1 }, { certFile: '/etc/c.pem', certName: 'n' }, machine), [
    '/etc/c.pem',
  ]);
});

test('loadSslCertificate: first existing candidate; none -> TLS error naming every path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ecf-ssl-'));
  try {
    const target = { host: 'somehost', port: 3141 };
    await assert.rejects(loadSslCertificate(target, { certDir: dir }), (e: unknown) => {
      assert.ok(e instanceof EcflowError);
      assert.equal(e.code, 'TLS');
      assert.ok(e.message.includes(join(dir, 'server.crt')) && e.message.includes(join(dir, 'somehost.3141.crt')), e.message);
      return true;
    });
    await writeFile(join(dir, 'somehost.3141.crt'), 'PER-SERVER');
    assert.equal((await loadSslCertificate(target, { certDir: dir })).pem.toString(), 'PER-SERVER');
    await writeFile(join(dir, 'server.crt'), 'SHARED');
    const found = await loadSslCertificate(target, { certDir: dir });
    assert.equal(found.path, join(dir, 'server.crt'));
    assert.equal(found.pem.toString(), 'SHARED');
    // a directory where the file should be: unreadable -> TLS error naming it
    await mkdir(join(dir, 'sub', 'bad.crt'), { recursive: true });
    await assert.rejects(loadSslCertificate(target, { certFile: join(dir, 'sub', 'bad.crt') }), (e: unknown) => {
      assert.ok(e instanceof EcflowError && e.code === 'TLS' && e.message.includes('bad.crt'));
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
