/**
 * EcflowClient against a REAL ecflow_server started with --ssl (ecflow-protocol.md §13): the
 * certificate as the only CA, no host-name check, ecFlow's certificate lookup, and clear errors for
 * a wrong certificate, a missing one, and plain/TLS mix-ups.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EcflowClient } from '../src/client/ecflow-client.js';
import { EcflowError } from '../src/errors.js';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { Connector } from '../src/transport/connector.js';
import { directConnector } from '../src/transport/tcp.js';
import { type EcflowServer, startEcflowServer } from './helpers/ecflow-server.js';
import { makeTempDir, removeTempDir } from './helpers/tmp.js';
import { makeServerTlsFiles } from './helpers/tls.js';

let tlsSrv: EcflowServer;
let plainSrv: EcflowServer;
let scratch: string;
before(async () => {
  [tlsSrv, plainSrv, scratch] = await Promise.all([
    startEcflowServer({ ssl: true }),
    startEcflowServer(),
    makeTempDir('client-tls'),
  ]);
});
after(async () => {
  await Promise.all([tlsSrv.stop(), plainSrv.stop(), removeTempDir(scratch)]);
});

function assertCode(code: string, pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof EcflowError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return true;
  };
}

test('TLS with the server certificate: ping and version (given file, ~/.ecflowrc/ssl lookup)', async () => {
  const certFile = tlsSrv.certPath;
  assert.ok(certFile);
  const byFile = new EcflowClient({ host: tlsSrv.host, port: tlsSrv.port, ssl: { certFile } });
  await byFile.ping();
  assert.equal(await byFile.serverVersion(), '5.9.2');
  const byDir = new EcflowClient({
    host: tlsSrv.host,
    port: tlsSrv.port,
    ssl: { certDir: join(tlsSrv.clientHome, '.ecflowrc', 'ssl') },
  });
  await byDir.ping();
  // 127.0.0.1: SNI is left out, the certificate is still accepted (no host-name check)
  await new EcflowClient({ host: '127.0.0.1', port: tlsSrv.port, ssl: { certFile } }).ping();
});

/** A plain stream.Duplex relaying to a socket: stands in for what a SOCKS connector may return. */
function relay(socket: Socket): Duplex {
  const d = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, encoding, callback) {
      socket.write(chunk, encoding, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(err, callback) {
      socket.destroy();
      callback(err);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    if (!d.push(chunk)) socket.pause();
  });
  socket.on('end', () => d.push(null));
  socket.on('error', (e) => d.destroy(e));
  return d;
}

test('TLS on top of whatever the connector returns (a generic Duplex, as through SOCKS)', async () => {
  const connector: Connector = async (t, s) => relay((await directConnector(t, s)) as Socket);
  const c = new EcflowClient({ host: tlsSrv.host, port: tlsSrv.port, ssl: { certFile: tlsSrv.certPath! }, connector });
  await c.ping();
  assert.equal(await c.serverVersion(), '5.9.2');
});

test('TLS lookup of <host>.<port>.crt with localhost replaced by the host name', async () => {
  const dir = join(scratch, 'per-server');
  await mkdir(dir, { recursive: true });
  await copyFile(tlsSrv.certPath!, join(dir, `${tlsSrv.hostName}.${tlsSrv.port}.crt`));
  await new EcflowClient({ host: 'localhost', port: tlsSrv.port, ssl: { certDir: dir } }).ping();
  await new EcflowClient({ host: 'localhost', port: tlsSrv.port, ssl: { certDir: dir, certName: `${tlsSrv.hostName}.${tlsSrv.port}` } }).ping();
});

test('TLS with a different certificate -> TLS "certificate verify failed"', async () => {
  const other = await makeServerTlsFiles(join(scratch, 'other'));
  const c = new EcflowClient({ host: tlsSrv.host, port: tlsSrv.port, ssl: { certFile: other.certPath } });
  await assert.rejects(c.ping(), assertCode('TLS', /certificate verify failed.*not the one trusted in/));
});

test('no certificate file -> TLS error naming the paths tried, nothing sent', async () => {
  let connects = 0;
  const connector: Connector = (t, s) => {
    connects++;
    return directConnector(t, s);
  };
  const dir = join(scratch, 'empty');
  const c = new EcflowClient({ host: tlsSrv.host, port: tlsSrv.port, ssl: { certDir: dir }, connector });
  await assert.rejects(
    c.ping(),
    assertCode('TLS', new RegExp(`tried ${dir}/server\\.crt, ${dir}/.*\\.${tlsSrv.port}\\.crt`)),
  );
  assert.equal(connects, 0);
});

test('plain client to a TLS server -> CONNECTION_CLOSED with a hint', async () => {
  const c = new EcflowClient({ host: tlsSrv.host, port: tlsSrv.port });
  await assert.rejects(c.ping(), assertCode('CONNECTION_CLOSED', /without a reply: plain client on a TLS server/));
});

test('TLS client to a plain server -> TLS "possibly not a TLS server"', async () => {
  const c = new EcflowClient({ host: plainSrv.host, port: plainSrv.port, ssl: { certFile: tlsSrv.certPath! } });
  await assert.rejects(c.ping(), assertCode('TLS', /possibly not a TLS server/));
});
