/** runProgram (output, stdin, timeout, missing program), signalProcess, local port helpers, the forward registry. */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { ForwardRegistry, forwardKey } from './ssh-forwards.js';
import { localPortAccepts, localPortFree, pickLocalPort } from './ssh-probe.js';
import { runProgram, signalProcess } from './ssh-process.js';

test('runProgram: stdout/stderr/exit code, stdin input, never rejects', async () => {
  const r = await runProgram(process.execPath, ['-e', 'process.stdin.pipe(process.stdout); console.error("e"); process.exitCode = 3'], { input: 'hello' });
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'hello');
  assert.equal(r.stderr, 'e\n');
  assert.equal(r.timedOut, false);
});

test('runProgram: timeout kills; a missing program gives spawnError ENOENT', async () => {
  const slow = await runProgram(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { timeoutMs: 200 });
  assert.equal(slow.timedOut, true);
  assert.equal(slow.signal, 'SIGKILL');
  const missing = await runProgram('/nonexistent/ssh', ['-V']);
  assert.equal(missing.spawnError?.code, 'ENOENT');
});

test('signalProcess: false for a PID that is gone', async () => {
  const r = await runProgram(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  assert.equal(signalProcess(Number(r.stdout), 'SIGTERM'), false);
});

test('local ports: pick a free one, see it taken while a server listens, and accepting', async () => {
  const port = await pickLocalPort();
  assert.equal(await localPortFree(port), true);
  assert.equal(await localPortAccepts(port, 500), false);
  const server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  try {
    assert.equal(await localPortFree(port), false);
    assert.equal(await localPortAccepts(port, 500), true);
  } finally {
    server.close();
  }
});

test('ForwardRegistry: one entry per remote target (host name case-insensitive)', () => {
  const r = new ForwardRegistry();
  r.set({ localPort: 5000, remoteHost: 'Machine1', remotePort: 4141 });
  r.set({ localPort: 5001, remoteHost: 'machine1', remotePort: 4141 });
  assert.equal(r.size, 1);
  assert.equal(r.get('MACHINE1', 4141)?.localPort, 5001);
  assert.equal(forwardKey('Machine1', 4141), 'machine1:4141');
  assert.equal(r.delete('machine1', 4141), true);
  assert.deepEqual(r.list(), []);
});
