/**
 * `ecflow-remote client` end to end: the real binary (bin/ecflow-remote.js) against REAL
 * ecflow_servers, every action of the issue, with the real ecflow_client as the reference for
 * output text, error text and effects.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { userInfo } from 'node:os';
import { startEcflowServer, type EcflowServer } from './helpers/ecflow-server.js';
import { pythonTreeSummary } from './helpers/python-ecflow.js';
import { makeTempDir, removeTempDir } from './helpers/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/ecflow-remote.js', import.meta.url));

const DEFS = `suite s1
  edit SLEEP 1
  family f1
    task t1
      label lab1 "hello"
      meter m1 0 100 50
      event ev
    task t2
      trigger t1 == complete
    task t3
      inlimit /s1:lim
  endfamily
  limit lim 1
endsuite
suite s2
  task a
endsuite
`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ours(srv: EcflowServer, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ECF_')));
    const child = spawn(process.execPath, [BIN, 'client', `--host=${srv.host}`, `--port=${srv.port}`, ...args], {
      env: { ...clean, HOME: srv.clientHome, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function real(srv: EcflowServer, args: string[]): Promise<Run> {
  const r = await srv.ecflowClient(args);
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

async function query(srv: EcflowServer, what: string, path: string): Promise<string> {
  const r = await ours(srv, [`--query=${what}`, path]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

test('ecflow-remote client: every action against a real server, output as ecflow_client prints it', async (t) => {
  const srv = await startEcflowServer({ defs: DEFS });
  t.after(() => srv.stop());

  await t.test('--ping and --server_version', async () => {
    const ping = await ours(srv, ['--ping']);
    assert.equal(ping.code, 0, ping.stderr);
    assert.match(ping.stdout, new RegExp(`^ping server\\(${srv.host}:${srv.port}\\) succeeded in 00:00:00\\.\\d{6}  ~\\d+ milliseconds\\n$`));
    const v = await ours(srv, ['--server_version']);
    assert.equal(v.stdout, (await real(srv, ['--server_version'])).stdout);
  });

  await t.test('--get, --get=PATH and --suites print exactly what ecflow_client prints', async () => {
    for (const args of [['--get'], ['--get=/s1/f1'], ['--get=/s1/f1/t1'], ['--get=/s2'], ['--suites']]) {
      const [a, b] = await Promise.all([ours(srv, args), real(srv, args)]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(a.stdout, b.stdout, `output of ${args.join(' ')}`);
    }
  });

  await t.test('--get_state shows states; --stats; --stats_server --json', async () => {
    const s = await ours(srv, ['--get_state']);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /^defs_state STATE /m);
    assert.match(s.stdout, /task t1 # state:queued/);
    const stats = await ours(srv, ['--stats']);
    assert.match(stats.stdout, /Server statistics/);
    const j = await ours(srv, ['--stats_server', '--json']);
    const parsed = JSON.parse(j.stdout) as { port: number };
    assert.equal(typeof parsed, 'object');
  });

  await t.test('--suspend / --resume / --force / --requeue change states', async () => {
    assert.equal((await ours(srv, ['--suspend=/s1/f1/t1'])).code, 0);
    assert.match((await ours(srv, ['--get_state=/s1/f1/t1'])).stdout, /suspended:1/);
    assert.equal((await ours(srv, ['--resume', '/s1/f1/t1'])).code, 0);
    assert.doesNotMatch((await ours(srv, ['--get_state=/s1/f1/t1'])).stdout, /suspended:1/);
    assert.equal((await ours(srv, ['--force=complete', '/s1/f1/t1'])).code, 0);
    assert.equal(await query(srv, 'state', '/s1/f1/t1'), 'complete');
    assert.equal((await ours(srv, ['--force=aborted', 'recursive', '/s1/f1'])).code, 0);
    assert.equal(await query(srv, 'state', '/s1/f1/t2'), 'aborted');
    assert.equal((await ours(srv, ['--requeue=abort', '/s1/f1'])).code, 0);
    assert.equal(await query(srv, 'state', '/s1/f1/t2'), 'queued');
    assert.equal((await ours(srv, ['--requeue', '/s1/f1/t1'])).code, 0);
    assert.equal(await query(srv, 'state', '/s1/f1/t1'), 'queued');
    assert.equal((await ours(srv, ['--requeue=force', '/s1'])).code, 0);
    assert.equal((await ours(srv, ['--force=set', '/s1/f1/t1:ev'])).code, 0);
    assert.equal(await query(srv, 'event', '/s1/f1/t1:ev'), 'set');
  });

  await t.test('--alter: label, meter, variables add/change/delete, flags, sort', async () => {
    assert.equal((await ours(srv, ['--alter=change', 'label', 'lab1', 'new value with  spaces', '/s1/f1/t1'])).code, 0);
    assert.equal(await query(srv, 'label', '/s1/f1/t1:lab1'), 'new value with  spaces');
    assert.equal((await ours(srv, ['--alter', 'change', 'meter', 'm1', '70', '/s1/f1/t1'])).code, 0);
    assert.equal(await query(srv, 'meter', '/s1/f1/t1:m1'), '70');
    assert.equal((await ours(srv, ['--alter=add', 'variable', 'FOO', '/a/path/value', '/s1/f1'])).code, 0);
    assert.equal(await query(srv, 'variable', '/s1/f1:FOO'), '/a/path/value');
    assert.equal((await ours(srv, ['--alter=change', 'variable', 'FOO', 'bar', '/s1/f1'])).code, 0);
    assert.equal(await query(srv, 'variable', '/s1/f1:FOO'), 'bar');
    assert.equal((await ours(srv, ['--alter=delete', 'variable', 'FOO', '/s1/f1'])).code, 0);
    assert.doesNotMatch((await ours(srv, ['--get=/s1/f1'])).stdout, /FOO/);
    assert.equal((await ours(srv, ['--alter=add', 'variable', 'GLOBAL', 'g', '/'])).code, 0);
    assert.match((await ours(srv, ['--get_state'])).stdout, /edit GLOBAL 'g'/);
    assert.equal((await ours(srv, ['--alter=set_flag', 'late', '/s1/f1/t1'])).code, 0);
    assert.match((await ours(srv, ['--get_state=/s1/f1/t1'])).stdout, /flag:.*late/);
    assert.equal((await ours(srv, ['--alter=clear_flag', 'late', '/s1/f1/t1'])).code, 0);
    assert.equal((await ours(srv, ['--alter=sort', 'variable', 'recursive', '/s1'])).code, 0);
    const bad = await ours(srv, ['--alter=change', 'meter', 'm1', '500', '/s1/f1/t1']);
    const badReal = await real(srv, ['--alter=change', 'meter', 'm1', '500', '/s1/f1/t1']);
    assert.equal(bad.code, 1);
    assert.equal(serverReply(bad.stderr), serverReply(badReal.stderr));
    const usage = await ours(srv, ['--alter=change', 'nonsense', 'x', '/s1']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /cannot change 'nonsense'/);
  });

  await t.test('--free-dep, --run, --kill, --status, --check, --why: same outcome as ecflow_client', async () => {
    assert.equal((await ours(srv, ['--free-dep', '/s1/f1/t2'])).code, 0);
    assert.match((await ours(srv, ['--get_state=/s1/f1/t2'])).stdout, /trigger t1 == complete # free/);
    for (const args of [['--kill=/s1/f1/t1'], ['--status=/s1/f1/t1'], ['--run=/s1/f1/t3'], ['--check=_all_']]) {
      const [a, b] = await Promise.all([ours(srv, args), real(srv, args)]);
      assert.equal(a.code === 0, b.code === 0, `${args.join(' ')}: ours ${a.code} ${a.stderr} / real ${b.code} ${b.stderr}`);
      if (b.code !== 0) assert.equal(serverReply(a.stderr), serverReply(b.stderr));
    }
    assert.equal((await ours(srv, ['--requeue=force', '/s1/f1/t2'])).code, 0);
    const why = await ours(srv, ['--why=/s1/f1/t2']);
    assert.equal(why.code, 0, why.stderr);
    assert.match(why.stdout, /t1/);
  });

  await t.test('--file, --edit_history, --zombie_get, --log, --msg', async () => {
    const [a, b] = await Promise.all([ours(srv, ['--file=/s1/f1/t1', 'script']), real(srv, ['--file=/s1/f1/t1', 'script'])]);
    assert.equal(a.code, 1);
    assert.equal(serverReply(a.stderr), serverReply(b.stderr));
    const [h1, h2] = await Promise.all([ours(srv, ['--edit_history=/s1/f1/t1']), real(srv, ['--edit_history=/s1/f1/t1'])]);
    assert.equal(h1.stdout, h2.stdout);
    assert.match(h1.stdout, /--alter change meter m1 70 \/s1\/f1\/t1/);
    const [z1, z2] = await Promise.all([ours(srv, ['--zombie_get']), real(srv, ['--zombie_get'])]);
    assert.equal(z1.stdout, z2.stdout);
    assert.equal((await ours(srv, ['--msg=hello from ecflow-remote'])).code, 0);
    const log = await ours(srv, ['--log=get', '5']);
    assert.match(log.stdout, /hello from ecflow-remote/);
    assert.equal(log.stdout.trimEnd().split('\n').length, 5);
    assert.match((await ours(srv, ['--log=path'])).stdout, /\.ecf\.log/);
  });

  await t.test('--load, --begin, --delete, --check_pt, --restart/--halt/--shutdown', async () => {
    const dir = await makeTempDir('cli-load');
    t.after(() => removeTempDir(dir));
    const file = join(dir, 's3.def');
    await writeFile(file, 'suite s3\n  family g\n    task x\n  endfamily\nendsuite\n');
    assert.equal((await ours(srv, [`--load=${file}`])).code, 0);
    const again = await ours(srv, [`--load=${file}`]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exist/);
    assert.equal((await ours(srv, [`--load=${file}`, 'force'])).code, 0);
    assert.equal((await ours(srv, ['--begin=s3'])).code, 0);
    assert.match((await ours(srv, ['--get_state=/s3'])).stdout, /begun:1/);
    const noYes = await ours(srv, ['--delete=/s3']);
    assert.equal(noYes.code, 2, 'no terminal to confirm: refused');
    assert.equal((await ours(srv, ['--delete=force', 'yes', '/s3'])).code, 0);
    assert.equal((await ours(srv, ['--suites'])).stdout, 's1 s2 \n');
    assert.equal((await ours(srv, ['--check_pt'])).code, 0);
    assert.equal((await ours(srv, ['--check_pt=on_time:200'])).code, 0);
    assert.equal((await ours(srv, ['--restart'])).code, 0);
    assert.doesNotMatch((await ours(srv, ['--get_state'])).stdout, /server_state:/);
    assert.equal((await ours(srv, ['--shutdown=yes'])).code, 0);
    assert.match((await ours(srv, ['--get_state'])).stdout, /server_state:SHUTDOWN/);
    assert.equal((await ours(srv, ['--halt'])).code, 2, 'halt without yes and without a terminal');
    assert.equal((await ours(srv, ['--halt=yes'])).code, 0);
    assert.match((await ours(srv, ['--get_state'])).stdout, /server_state:HALTED/);
  });

  await t.test('--ch_register / --ch_suites / --ch_drop', async () => {
    const reg = await ours(srv, ['--json', '--ch_register=false', 's1']);
    const handle = (JSON.parse(reg.stdout) as { handle: number }).handle;
    assert.ok(handle > 0);
    const [a, b] = await Promise.all([ours(srv, ['--ch_suites']), real(srv, ['--ch_suites'])]);
    assert.equal(a.stdout, b.stdout);
    assert.match(a.stdout, new RegExp(`${handle}  s1  `));
    assert.equal((await ours(srv, [`--ch_drop=${handle}`])).code, 0);
    const gone = await ours(srv, [`--ch_drop=${handle}`]);
    assert.equal(gone.code, 1);
  });

  await t.test('--tree-summary counts equal what the python client sees', async () => {
    const r = await ours(srv, ['--tree-summary', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { total: number; kinds: Record<string, number>; states: Record<string, number> };
    const py = await pythonTreeSummary(srv.host, srv.port);
    assert.deepEqual(s.kinds, py.kinds);
    assert.equal(s.total, py.total);
    for (const [state, n] of Object.entries(py.states)) assert.equal(s.states[state] ?? 0, n, `state ${state}`);
    const text = await ours(srv, ['--tree-summary']);
    assert.match(text.stdout, /^nodes=\d+ suites=2 families=1 tasks=4 aliases=0 \| /);
  });

  await t.test('errors: server text verbatim (exit 1), usage (2), unreachable (3), JSON errors', async () => {
    const [a, b] = await Promise.all([ours(srv, ['--suspend=/nonexistent']), real(srv, ['--suspend=/nonexistent'])]);
    assert.equal(a.code, 1);
    assert.equal(a.stderr.trim(), b.stderr.trim().split('\n').find((l) => l.startsWith('Error:')));
    assert.equal((await ours(srv, ['--frobnicate'])).code, 2);
    assert.equal((await ours(srv, ['--suspend=relative/path'])).code, 2);
    assert.equal((await ours(srv, ['--ping', '--suites'])).code, 2);
    const j = await ours(srv, ['--json', '--get=/nope']);
    assert.equal(j.code, 1);
    const err = JSON.parse(j.stdout) as { ok: boolean; error: { code: string; serverMessage: string } };
    assert.equal(err.ok, false);
    assert.equal(err.error.code, 'SERVER');
    assert.match(err.error.serverMessage, /Cannot find node at path '\/nope'/);
    const refused = await new Promise<Run>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'client', '--host=127.0.0.1', '--port=1', '--ping'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout: '', stderr }));
    });
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /127\.0\.0\.1:1/);
  });
});

test('--remote-user succeeds on a white-listed server where ecflow_client (our login name) is refused', async (t) => {
  const srv = await startEcflowServer({ runAs: 'ecfop', whiteList: 'centreuser\n', defs: DEFS });
  t.after(() => srv.stop());
  const me = userInfo().username;
  const refused = await real(srv, ['--get']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr + refused.stdout, new RegExp(`User '${me}' is not allowed any access`));
  const oursRefused = await ours(srv, ['--get']);
  assert.equal(oursRefused.code, 4);
  const ok = await ours(srv, ['--remote-user=centreuser', '--get']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /suite s1/);
  assert.equal((await ours(srv, ['--remote-user=centreuser', '--suspend=/s1'])).code, 0);
});

test('--user with --password-file (custom user) and ECF_USER + ECF_CUSTOM_PASSWD', async (t) => {
  const srv = await startEcflowServer({
    defs: DEFS,
    customPasswd: 'ops {{HOST}} {{PORT}} s3cret\n',
    whiteList: 'ops\n',
  });
  t.after(() => srv.stop());
  const file = await srv.clientFile('pw', 'ops {{HOST}} {{PORT}} s3cret\n', { passwd: true });
  const ok = await ours(srv, ['--user=ops', `--password-file=${file}`, '--suspend=/s1']);
  assert.equal(ok.code, 0, ok.stderr);
  const viaEnv = await ours(srv, ['--resume=/s1'], { ECF_USER: 'ops', ECF_CUSTOM_PASSWD: file });
  assert.equal(viaEnv.code, 0, viaEnv.stderr);
  const wrong = await srv.clientFile('pw2', 'ops {{HOST}} {{PORT}} wrong\n', { passwd: true });
  const denied = await ours(srv, ['--user=ops', `--password-file=${wrong}`, '--suspend=/s1']);
  assert.equal(denied.code, 4);
  assert.doesNotMatch(denied.stderr + denied.stdout, /wrong|s3cret/, 'no password in messages');
  const missing = await ours(srv, ['--user=nobody', `--password-file=${file}`, '--ping']);
  assert.equal(missing.code, 4);
});

test('--ssl against a TLS server with a generated certificate', async (t) => {
  const srv = await startEcflowServer({ defs: DEFS, ssl: true });
  t.after(() => srv.stop());
  const ok = await ours(srv, ['--ssl', '--get']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, (await real(srv, ['--get'])).stdout);
  const plain = await ours(srv, ['--ping'], {});
  // ECF_SSL is not set by `ours`: a plain client on a TLS server gets a clear error.
  assert.equal(plain.code, 3);
});

function serverReply(stderr: string): string {
  const m = /Server reply: ([\s\S]*)$/.exec(stderr);
  assert.ok(m, `no "Server reply:" in ${stderr}`);
  return m[1]!.trim();
}
