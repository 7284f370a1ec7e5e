/** The private runtime directory: candidates, socket-path length budget, permissions, short ids. */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { controlPathFits, ensureRuntimeDir, ROUTE_ID_LENGTH, runtimeDirCandidates, shortRouteId, unixSocketPathMax } from './runtime-dir.js';

const base = mkdtempSync(join(tmpdir(), 'ecflow-remote-rtdir-'));
after(() => rmSync(base, { recursive: true, force: true }));

test('candidates: XDG_RUNTIME_DIR first, then tmpdir, then /tmp; Windows: tmpdir only', () => {
  const c = runtimeDirCandidates({ platform: 'linux', env: { XDG_RUNTIME_DIR: '/run/user/1000' } });
  assert.equal(c[0], '/run/user/1000/ecflow-remote');
  assert.ok(c.at(-1)?.startsWith('/tmp/ecflow-remote-'));
  assert.equal(runtimeDirCandidates({ platform: 'linux', env: {} })[0]?.startsWith('/run'), false);
  assert.equal(runtimeDirCandidates({ platform: 'win32', env: {} }).length, 1);
});

test('socket path budget: macOS 103 bytes, Linux 107, minus OpenSSH\'s 17-byte temporary suffix', () => {
  assert.equal(unixSocketPathMax('darwin'), 103);
  assert.equal(unixSocketPathMax('linux'), 107);
  // a typical macOS $TMPDIR fits; a very long one does not (then /tmp is used)
  assert.equal(controlPathFits('/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T/ecflow-remote-501', 'darwin'), true);
  assert.equal(controlPathFits(`/Users/${'x'.repeat(60)}/Library/Caches/ecflow-remote`, 'darwin'), false);
  const id = shortRouteId('centre');
  assert.equal(id.length, ROUTE_ID_LENGTH);
  assert.match(id, /^centr-[0-9a-f]{4}$/);
  assert.notEqual(shortRouteId('centre'), shortRouteId('centre'));
  assert.match(shortRouteId('!!!'), /^route-[0-9a-f]{4}$/);
});

test('ensureRuntimeDir: created 0700, a loose mode of our own dir is tightened, a symlink refused', () => {
  const dir = join(base, 'rt');
  assert.equal(ensureRuntimeDir({ dir, platform: 'linux' }), dir);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  chmodSync(dir, 0o755);
  ensureRuntimeDir({ dir, platform: 'linux' });
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const link = join(base, 'link');
  symlinkSync(dir, link);
  assert.throws(() => ensureRuntimeDir({ dir: link, platform: 'linux' }), /symlink/);
  assert.throws(() => ensureRuntimeDir({ dir: join(base, 'x'.repeat(120)), platform: 'linux' }), /too long/);
});
