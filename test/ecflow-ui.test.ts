/**
 * `ecflow-remote ecflow-ui` in the namespace lab (test/helpers/lab): a stand-in for ecflow_ui
 * (ECFLOW_REMOTE_ECFLOW_UI) records its argv, environment and the generated files, and uses the
 * forwarded ports with the REAL ecflow_client (ping of both servers: A by white list, B as custom
 * user through the generated ECF_CUSTOM_PASSWD) and the forwarded log-server ports (`version`,
 * `getf`). Cases: routes started by the command; routes of a running `ecflow-remote up` (forwards
 * cancelled, up untouched) with --login-name; --proxychains refused by its self-test (Linux,
 * proxychains4 vs Boost.Asio); the proxychains launch with a stand-in proxychains4.
 * The real ecflow_ui under Xvfb is in ecflow-ui-real.test.ts.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { canBuildLab, startCentreLab, type CentreLab } from './helpers/lab/centre-lab.js';

const CLI = fileURLToPath(new URL('../../bin/ecflow-remote.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stand-in for ecflow_ui: writes a JSON report to $STANDIN_REPORT. */
const STANDIN = String.raw`#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
const plan = JSON.parse(process.env.STANDIN_PLAN ?? '{}');
const argv = process.argv.slice(2);
const dir = argv[argv.indexOf('-confd') + 1];
const mode = (p) => (statSync(p).mode & 0o777).toString(8);
const report = { argv, env: { ...process.env }, files: {}, modes: {}, pings: [], logServers: [] };
const walk = (d) => {
  report.modes[d] = mode(d);
  for (const name of readdirSync(d)) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p);
    else { report.modes[p] = mode(p); report.files[p] = readFileSync(p, 'utf8'); }
  }
};
walk(dir);
for (const v of ['ECF_CUSTOM_PASSWD', 'ECF_PASSWD', 'PROXYCHAINS_CONF_FILE', 'NSS_WRAPPER_PASSWD']) {
  const f = process.env[v];
  if (f) { report.modes[f] = mode(f); report.modes[f + '/..'] = mode(join(f, '..')); report.files[f] = readFileSync(f, 'utf8'); }
}
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20000 });
  return { cmd: [cmd, ...args].join(' '), code: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') };
};
const servers = readFileSync(join(dir, 'servers.txt'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(','));
const pingAll = () => {
  const pings = [];
  for (const [name, host, port, , , , user] of servers) {
    const args = ['--host', host, '--port', port, ...(user ? ['--user', user] : []), '--ping'];
    pings.push({ name, as: 'self', ...run('ecflow_client', args) });
    if (!user && plan.pingAsUser) pings.push({ name, as: plan.pingAsUser, ...run('runuser', ['-u', plan.pingAsUser, '--', 'ecflow_client', ...args]) });
  }
  return pings;
};
const ask = (host, port, line) => new Promise((resolve) => {
  const s = connect({ host, port });
  let data = '';
  const t = setTimeout(() => { s.destroy(); resolve({ ok: false, data, error: 'timeout' }); }, 5000);
  s.on('connect', () => s.write(line + '\n'));
  s.on('data', (b) => { data += b.toString('utf8'); });
  s.on('error', (e) => { clearTimeout(t); resolve({ ok: false, data, error: e.message }); });
  s.on('close', () => { clearTimeout(t); resolve({ ok: true, data }); });
});
const askAll = async () => {
  const out = [];
  for (const [file, text] of Object.entries(report.files)) {
    const m = /([^/]+)\.conf\.json$/.exec(file);
    if (!m || !plan.logs) continue;
    const s = JSON.parse(text).server?.files;
    if (!s?.logServerHost) continue;
    const port = Number(s.logServerPort);
    out.push({ name: m[1], host: s.logServerHost, port,
      version: await ask(s.logServerHost, port, 'version'),
      getf: plan.logs[m[1]] ? await ask(s.logServerHost, port, 'getf ' + plan.logs[m[1]]) : undefined });
  }
  return out;
};
if (plan.ping) report.pings = pingAll();
report.logServers = await askAll();
writeFileSync(process.env.STANDIN_REPORT, JSON.stringify(report, null, 1));
if (plan.again) {
  // Wait for the test (it breaks and restores the route meanwhile), then use the forwards again.
  const go = process.env.STANDIN_REPORT + '.go';
  for (let i = 0; i < 900 && !existsSync(go); i++) await new Promise((r) => setTimeout(r, 100));
  report.again = { pings: pingAll(), logServers: await askAll() };
  writeFileSync(process.env.STANDIN_REPORT, JSON.stringify(report, null, 1));
}
process.exit(Number(process.env.STANDIN_EXIT ?? 0));
`;

interface Report {
  argv: string[];
  env: Record<string, string>;
  files: Record<string, string>;
  modes: Record<string, string>;
  pings: { name: string; as: string; cmd: string; code: number | null; out: string }[];
  logServers: { name: string; host: string; port: number; version: { ok: boolean; data: string }; getf?: { ok: boolean; data: string } }[];
}

const out = (r: { stdout: string; stderr: string; code: number | null }) => `code ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

function forwardedPorts(report: Report): number[] {
  const serversTxt = Object.entries(report.files).find(([f]) => f.endsWith('/servers.txt'))?.[1] ?? '';
  const serverPorts = [...serversTxt.matchAll(/^\w+,localhost,(\d+),/gm)].map((m) => Number(m[1]));
  return [...serverPorts, ...report.logServers.map((l) => l.port)];
}

async function assertClosed(lab: CentreLab, ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    const r = await lab.homeTcp('127.0.0.1', port, { timeoutMs: 1500 });
    assert.equal(r.ok, false, `127.0.0.1:${port} still accepts connections after ecflow_ui exited: ${JSON.stringify(r)}`);
  }
}

test('ecflow-remote ecflow-ui: config directory, forwards, passwords, log servers, proxychains self-test', async (t) => {
  const cap = await canBuildLab();
  if (!cap.ok) {
    t.diagnostic(`skipped: ${cap.reason}`);
    t.skip(cap.reason);
    return;
  }
  const lab = await startCentreLab();
  t.after(() => lab.stop());
  const secret = lab.servers.b.password!;
  // B's tasks: hello and ticker on logserver2, fails on logserver1 → logserver2 wins, with a note.
  const alter = await lab.servers.b.client(['--alter', 'add', 'variable', 'ECF_LOGHOST', 'logserver1', '/lab_b/f/fails']);
  assert.equal(alter.code, 0, out(alter));

  const pw = await lab.writeFile('b.passwd', `4.5.0\necuser machine2 4142 ${secret}\n`);
  chmodSync(pw, 0o600);
  const config = await lab.writeFile(
    'ui.toml',
    `[routes.centre]\ndestination = "ws"\nssh_config = "${lab.user.sshConfig}"\n` +
      `[servers.a]\nhost = "machine1"\nport = 4141\nroute = "centre"\nremote_user = "ecuser"\nfavourite = true\n` +
      `[servers.b]\nhost = "machine2"\nport = 4142\nroute = "centre"\ncustom_user = "ecuser"\npassword_file = "${pw}"\n`,
  );
  const runtime = mkdtempSync(join(tmpdir(), 'ecflow-ui-rt-'));
  chmodSync(runtime, 0o700);
  const standin = join(lab.dir, 'standin.mjs');
  writeFileSync(standin, STANDIN, { mode: 0o755 });
  const plan = {
    ping: true,
    pingAsUser: lab.centreUser,
    logs: { a: lab.servers.a.outputPath('f/hello'), b: lab.servers.b.outputPath('f/hello') },
  };
  let n = 0;
  const runUi = async (args: readonly string[], env: Record<string, string> = {}) => {
    const report = join(lab.dir, `report-${++n}.json`);
    const confd = join(lab.dir, `confd-${n}`);
    const r = await lab.homeExec(
      ['node', CLI, 'ecflow-ui', `--config=${config}`, `--confd=${confd}`, ...args],
      { XDG_RUNTIME_DIR: runtime, ECFLOW_REMOTE_ECFLOW_UI: standin, STANDIN_REPORT: report, STANDIN_PLAN: JSON.stringify(plan), ...env },
      { timeoutMs: 120_000 },
    );
    const parsed = existsSync(report) ? (JSON.parse(readFileSync(report, 'utf8')) as Report) : undefined;
    return { r, report: parsed, confd };
  };

  await t.test('own route: servers.txt, log-server settings, ECF_CUSTOM_PASSWD; real ecflow_client through the forwards', async () => {
    const { r, report, confd } = await runUi([], { STANDIN_EXIT: '7' });
    assert.equal(r.code, 7, `exit code of ecflow_ui is passed on\n${out(r)}`);
    assert.ok(report, out(r));
    assert.deepEqual(report.argv, ['-confd', confd]);

    // servers.txt: localhost + forwarded ports, favourite, custom user column.
    const serversTxt = report.files[join(confd, 'servers.txt')]!;
    const m = /^#Name Host Port Favourite System Ssl user\na,localhost,(\d+),1,0,0,\nb,localhost,(\d+),0,0,0,ecuser\n$/.exec(serversTxt);
    assert.ok(m, serversTxt);
    const [pA, pB] = [Number(m[1]), Number(m[2])];
    assert.notEqual(pA, pB);

    // Per-server log-server settings (nested JSON, string values) in the default session.
    const conf = (name: string) => JSON.parse(report.files[join(confd, 'default.session', `${name}.conf.json`)]!) as { server: { files: Record<string, string> } };
    assert.equal(conf('a').server.files['logServerHost'], '127.0.0.1');
    assert.equal(conf('b').server.files['logServerHost'], '127.0.0.1');
    assert.match(report.files[join(confd, 'default.session', 'session.json')]!, /"server": \[\s*"a",\s*"b"\s*\]/);

    // The custom passwd file: 0600 in a 0700 folder, format 4.5.0, keyed on localhost + forwarded port.
    const custom = report.env['ECF_CUSTOM_PASSWD']!;
    assert.ok(custom.startsWith(join(runtime, 'ecflow-remote')), custom);
    assert.equal(report.modes[custom], '600');
    assert.equal(report.modes[`${custom}/..`], '700');
    assert.match(report.files[custom]!, new RegExp(`^4\\.5\\.0\\n(#.*\\n)*ecuser localhost ${pB} ${secret}\\n$`));
    assert.equal(report.env['ECF_PASSWD'], undefined);
    for (const [path, mode] of Object.entries(report.modes)) {
      if (path.startsWith(confd)) assert.equal(mode, path.endsWith('.json') || path.endsWith('.txt') || path.endsWith('.lock') ? '600' : '700', path);
    }
    // No password on the command line or in the environment; none in our own output either.
    assert.ok(!report.argv.join(' ').includes(secret));
    for (const [k, v] of Object.entries(report.env)) assert.ok(!v.includes(secret), `password in env ${k}`);
    assert.ok(!(r.stdout + r.stderr).includes(secret));

    // Real ecflow_client through the forwards.
    const ping = (name: string, as: string) => report.pings.find((p) => p.name === name && p.as === as)!;
    assert.match(ping('a', 'self').out, /User 'root' is not allowed any access/, 'A sees the local login name (the remote_user limitation)');
    assert.equal(ping('a', lab.centreUser).code, 0, JSON.stringify(ping('a', lab.centreUser)));
    assert.match(ping('a', lab.centreUser).out, new RegExp(`ping server\\(localhost:${pA}\\) succeeded`));
    assert.equal(ping('b', 'self').code, 0, JSON.stringify(ping('b', 'self')));
    assert.match(ping('b', 'self').out, new RegExp(`ping server\\(localhost:${pB}\\) succeeded`));

    // Log servers through their forwards: A → logserver1, B → logserver2 (the most used).
    const logA = report.logServers.find((l) => l.name === 'a')!;
    const logB = report.logServers.find((l) => l.name === 'b')!;
    assert.equal(logA.version.data.trim(), '2');
    assert.equal(logB.version.data.trim(), '2');
    assert.match(logA.getf!.data, /^0:\d+:[^:\n]*:hello from \/lab_a\/f\/hello on machine1, server A/);
    assert.match(logB.getf!.data, /hello from \/lab_b\/f\/hello on machine2/);

    // What the user is told.
    assert.match(r.stderr, /a +localhost:\d+ → machine1:4141 via centre; log server 127\.0\.0\.1:\d+ → logserver1:9316 \(ECF_LOGHOST\/ECF_LOGPORT of 3 tasks\)/);
    assert.match(r.stderr, /b +localhost:\d+ → machine2:4142 via centre; log server 127\.0\.0\.1:\d+ → logserver2:9316 \(ECF_LOGHOST\/ECF_LOGPORT of 2 tasks\); custom user ecuser/);
    assert.match(r.stderr, /note: server b: its tasks use 2 log servers; .* logserver1:9316 \(1\)/);
    assert.match(r.stderr, /note: server a: remote_user 'ecuser' cannot be used by ecflow_ui: it always sends the login name \('root'\).*--login-name=ecuser/);

    // After exit: forwards gone (the route of this process is stopped), passwd file removed.
    await assertClosed(lab, forwardedPorts(report));
    assert.equal(existsSync(custom), false);
    assert.equal(existsSync(join(confd, '.ecflow-remote.lock')), false);
  });

  await t.test('attached to a running `up`: forwards on its master, restored after a reconnect, cancelled at exit; --login-name', async (tt) => {
    const up = lab.homeSpawn(['node', CLI, 'up', `--config=${config}`], { XDG_RUNTIME_DIR: runtime });
    t.after(() => up.kill());
    await up.waitForOutput(/route centre: up/, 30_000);
    const upFile = join(runtime, 'ecflow-remote', 'up.json');
    const socksPort = (JSON.parse(readFileSync(upFile, 'utf8')) as { routes: { centre: { socksPort: number } } }).routes.centre.socksPort;

    const nss = ['/usr/lib/x86_64-linux-gnu/libnss_wrapper.so', '/usr/lib/aarch64-linux-gnu/libnss_wrapper.so'].some((p) => existsSync(p));
    if (!nss) tt.diagnostic('libnss-wrapper is not installed: --login-name is not tested (Debian package libnss-wrapper)');
    const reportFile = join(lab.dir, 'report-attached.json');
    const confd = join(lab.dir, 'confd-attached');
    const ui = lab.homeSpawn(['node', CLI, 'ecflow-ui', `--config=${config}`, `--confd=${confd}`, ...(nss ? [`--login-name=${lab.centreUser}`] : [])], {
      XDG_RUNTIME_DIR: runtime,
      ECFLOW_REMOTE_ECFLOW_UI: standin,
      STANDIN_REPORT: reportFile,
      STANDIN_PLAN: JSON.stringify({ ...plan, again: true }),
    });
    for (let i = 0; i < 600 && !existsSync(reportFile); i++) await sleep(100);
    const first = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    assert.match(ui.stderr(), /a +localhost:\d+ → machine1:4141 via centre/);
    const ping = (report: { pings: Report['pings'] }, name: string, as: string) => report.pings.find((p) => p.name === name && p.as === as)!;
    assert.equal(ping(first, 'b', 'self').code, 0, JSON.stringify(ping(first, 'b', 'self')));
    assert.equal(first.logServers.find((l) => l.name === 'a')!.version.data.trim(), '2');
    if (nss) {
      // ecflow_ui's login name is the white-listed one: A accepts the stand-in's own ping.
      assert.equal(ping(first, 'a', 'self').code, 0, JSON.stringify(ping(first, 'a', 'self')));
      assert.match(first.env['LD_PRELOAD'] ?? '', /libnss_wrapper\.so/);
      assert.match(first.files[first.env['NSS_WRAPPER_PASSWD']!]!, new RegExp(`^${lab.centreUser}:x:0:0:`));
      assert.doesNotMatch(ui.stderr(), /remote_user 'ecuser' cannot be used/);
    }

    // up's master dies and up reconnects: up knows nothing of our forwards, we put them back.
    lab.killJumpConnections();
    await ui.waitForOutput(/route centre reconnected: forward 127\.0\.0\.1:\d+ → machine2:4142 restored/, 45_000);
    await ui.waitForOutput(/route centre reconnected: forward 127\.0\.0\.1:\d+ → logserver1:9316 restored/, 10_000);
    writeFileSync(`${reportFile}.go`, '');
    const exit = await ui.exited;
    assert.equal(exit.code, 0, ui.stderr());
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report & { again: { pings: Report['pings']; logServers: Report['logServers'] } };
    assert.equal(ping(report.again, 'b', 'self').code, 0, `after the reconnect: ${JSON.stringify(ping(report.again, 'b', 'self'))}`);
    assert.equal(report.again.logServers.find((l) => l.name === 'a')!.version.data.trim(), '2');

    await assertClosed(lab, forwardedPorts(report));
    assert.ok(up.alive(), 'up keeps running');
    const v = await lab.homeSocks(socksPort, 'logserver1', 9316, { send: 'version\n' });
    assert.deepEqual([v.ok, v.data], [true, '2'], "up's SOCKS port still works");
    await up.kill();
  });

  await t.test('--proxychains: the self-test fails here (Boost.Asio under proxychains4), forward mode is used', async (tt) => {
    const which = await lab.homeExec(['sh', '-c', 'command -v proxychains4']);
    if (which.code !== 0) {
      tt.skip('proxychains4 is not installed (Debian package proxychains4)');
      return;
    }
    const { r, report } = await runUi(['--proxychains']);
    assert.equal(r.code, 0, out(r));
    assert.match(r.stderr, /--proxychains: self-test: proxychains4 ecflow_client --host machine1 --port 4141 --ping/);
    // Usually the ping gets no reply; under load it can get one by luck, and the epoll probe refuses.
    assert.match(
      r.stderr,
      /--proxychains refused: the self-test 'proxychains4 ecflow_client --host machine1 --port 4141 --ping' failed: (no reply within 10 s\. proxychains4 breaks Boost\.Asio programs|the ping got a reply, but only by luck: .* never reports an event).* ecflow_ui gets local forwards instead/,
    );
    assert.ok(report, out(r));
    assert.ok(!report.argv.includes('-cmd'), report.argv.join(' '));
    assert.equal(report.env['PROXYCHAINS_CONF_FILE'], undefined);
    assert.equal(report.pings.find((p) => p.name === 'b')?.code, 0);
  });

  await t.test('--proxychains: a ping that gets its reply by luck is caught by the epoll probe (real proxychains4)', async (tt) => {
    if ((await lab.homeExec(['sh', '-c', 'command -v proxychains4 && command -v python3'])).code !== 0) {
      tt.skip('proxychains4 or python3 is not installed');
      return;
    }
    // A stand-in ecflow_client that always "gets" the reply (as a real one sometimes does under load).
    const bin = join(lab.dir, 'luckybin');
    await lab.homeExec(['mkdir', '-p', bin]);
    writeFileSync(join(bin, 'ecflow_client'), "#!/bin/sh\necho \"Error: request( --ping ) failed!  Server reply: [ authentication failed ] User 'root' is not allowed any access.\"\nexit 1\n", { mode: 0o755 });
    const { r, report } = await runUi(['--proxychains'], { PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, STANDIN_PLAN: '{}' });
    assert.equal(r.code, 0, out(r));
    assert.match(r.stderr, /--proxychains refused: .*failed: the ping got a reply, but only by luck: under proxychains4 a socket registered with epoll before connect\(\) never reports an event/);
    assert.ok(report && !report.argv.includes('-cmd'), out(r));
  });

  await t.test('--proxychains when the self-test passes (a stand-in proxychains4): -cmd proxychains4, real host names', async () => {
    const bin = join(lab.dir, 'fakebin');
    await lab.homeExec(['mkdir', '-p', bin]);
    const fake = '#!/bin/sh\ncase "$1" in\n  python3) echo "EPOLL ok" ;;\n  *) echo "ping server($3:$5) succeeded in 00:00:00.001  ~1 milliseconds" ;;\nesac\n';
    writeFileSync(join(bin, 'proxychains4'), fake, { mode: 0o755 });
    const { r, report, confd } = await runUi(['--proxychains'], { PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, STANDIN_PLAN: '{}' });
    assert.equal(r.code, 0, out(r));
    assert.ok(report, out(r));
    assert.match(r.stderr, /--proxychains: self-test passed: 3 pings got their replies through proxychains4 .*; the epoll probe saw its event/);
    assert.deepEqual(report.argv, ['-confd', confd, '-cmd', 'proxychains4']);
    const conf = report.files[report.env['PROXYCHAINS_CONF_FILE']!]!;
    assert.match(conf, /^proxy_dns$/m);
    assert.match(conf, /^localnet 127\.0\.0\.0\/255\.0\.0\.0$/m);
    assert.match(conf, /^quiet_mode$/m);
    assert.match(conf, /^socks5 127\.0\.0\.1 \d+$/m);
    assert.equal(report.modes[report.env['PROXYCHAINS_CONF_FILE']!], '600');
    assert.equal(report.files[join(confd, 'servers.txt')], '#Name Host Port Favourite System Ssl user\na,machine1,4141,1,0,0,\nb,machine2,4142,0,0,0,ecuser\n');
    assert.match(report.files[report.env['ECF_CUSTOM_PASSWD']!]!, new RegExp(`\\necuser machine2 4142 ${secret}\\n$`));
    assert.equal(Object.keys(report.files).some((f) => f.endsWith('.conf.json')), false, 'no custom log server: proxychains carries ECF_LOGHOST');
    const settings = JSON.parse(report.files[join(confd, 'default.session', 'settings.json')]!) as { network: { socks: { port: string } } };
    assert.match(settings.network.socks.port, /^\d+$/);
  });

  await t.test('usage errors', async () => {
    const r = await lab.homeExec(['node', CLI, 'ecflow-ui', `--config=${config}`, '--', '-confd', '/tmp/x'], { XDG_RUNTIME_DIR: runtime });
    assert.equal(r.code, 2, out(r));
    assert.match(r.stderr, /'-confd' is set by ecflow-remote/);
    const stray = await lab.homeExec(['node', CLI, 'ecflow-ui', `--config=${config}`, 'extra'], { XDG_RUNTIME_DIR: runtime });
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /arguments for ecflow_ui go after --/);
  });
});
