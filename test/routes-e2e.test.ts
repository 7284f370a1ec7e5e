/**
 * Routes to the centre, end to end through the REAL command line (`bin/ecflow-remote.js`) in the
 * home namespace of the centre lab (test/helpers/lab): `up` starts the route (a supervised OpenSSH
 * master through jump → workstation, SOCKS with remote DNS), `status --json` reports it, `client
 * --server` and `output --server` reach ecflow servers A/B and log servers 1/2 behind it. Then the
 * failures a user meets, each with its recovery: the ssh master killed, the network gone and back,
 * the certificate expired (needs-login without hammering the jump host, then a new certificate
 * without restarting `up`), a busy SOCKS port, a changed host key, and SIGTERM.
 *
 * Also measures (t.diagnostic, lines starting with "FIGURES") the time from spawning `up` to the
 * first successful ping, and the cost of a request through the route against a direct one.
 *
 * One lab for everything (set-up ~0.5 s); the slow cases (link down: ~20 s until the health probe
 * gives up) run once. Every command gets ECFLOW_REMOTE_CONFIG and a private XDG_RUNTIME_DIR.
 * Skips (saying why) only where the lab cannot be built (not root, no namespaces, programs missing).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ServerCheck, UpRouteStatus } from '../src/client/up-status.js';
import { canBuildLab, type CentreLab, type HomeProcess, startCentreLab } from './helpers/lab/centre-lab.js';
import { namespaceInode, processesInNamespace } from './helpers/lab/procs.js';
import { type RunResult, runOk } from './helpers/run.js';
import { makeTempDir, removeTempDir } from './helpers/tmp.js';

const CLI = fileURLToPath(new URL('../../bin/ecflow-remote.js', import.meta.url));
const PING = fileURLToPath(new URL('./helpers/routes-e2e-ping.js', import.meta.url));
const NODE = process.execPath;
const LOGIN_COMMAND = 'tsh login';

/** What `ecflow-remote status --json` prints. */
interface StatusJson {
  up: { pid: number; startedAt: string; updatedAt: string; configPath: string } | null;
  routes: Record<string, UpRouteStatus>;
  servers: Record<string, ServerCheck>;
}

type Env = Record<string, string>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `p`, or 'timeout' after `ms` (the timer does not outlive the race). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function out(r: RunResult): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}${r.timedOut ? ' TIMED OUT' : ''} after ${Math.round(r.ms)} ms\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const fmt = (ms: number): string => (ms < 10 ? ms.toFixed(2) : String(Math.round(ms)));

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function routeText(r: UpRouteStatus | undefined): string {
  return r === undefined ? 'no route' : `${r.state} pid=${r.pid} socks=${r.socksPort} ${r.lastError ? `(${r.lastError.kind}: ${r.lastError.message})` : ''}`;
}

test('routes end to end through the CLI: up, status, client, output; failures and recoveries', async (t) => {
  const cap = await canBuildLab();
  if (!cap.ok) {
    console.log(`routes-e2e skipped: ${cap.reason}`);
    t.skip(cap.reason);
    return;
  }
  const testStart = performance.now();
  const lab = await startCentreLab();
  const ups = new Set<HomeProcess>();
  const dirs: string[] = [];
  t.after(async () => {
    for (const p of ups) await p.kill('SIGKILL', 1000);
    await lab.stop();
    for (const d of dirs) await removeTempDir(d);
  });
  t.diagnostic(`lab ${lab.id} started in ${lab.timings['total']} ms`);

  // ---------------------------------------------------------------- files and helpers
  const passwordFile = await lab.writeFile('b.passwd', `4.5.0\n${lab.centreUser} machine2 4142 ${lab.servers.b.password}\n`);
  await chmod(passwordFile, 0o600);
  const routeTable = (extra = ''): string =>
    `[routes.centre]\ndestination = "ws"\nssh_config = "${lab.user.sshConfig}"\nlogin_command = "${LOGIN_COMMAND}"\n${extra}`;
  const serverA = `[servers.a]\nhost = "machine1"\nport = 4141\nroute = "centre"\nremote_user = "${lab.centreUser}"\n`;
  const mainConfig = await lab.writeFile(
    'config.toml',
    `${routeTable()}\n${serverA}\n` +
      `[servers.b]\nhost = "machine2"\nport = 4142\nroute = "centre"\ncustom_user = "${lab.centreUser}"\npassword_file = "${passwordFile}"\n\n` +
      // Server A again, without remote_user: requests go as our local login name (not on A's white list).
      `[servers.me]\nhost = "machine1"\nport = 4141\nroute = "centre"\n`,
  );

  /** A private runtime directory (0700) → the env of one `up` and the commands that use it. */
  const newEnv = async (config: string): Promise<{ env: Env; runtime: string }> => {
    const xdg = await makeTempDir('rte2e');
    dirs.push(xdg);
    return { env: { ECFLOW_REMOTE_CONFIG: config, XDG_RUNTIME_DIR: xdg }, runtime: join(xdg, 'ecflow-remote') };
  };
  const cli = (args: readonly string[], env: Env, timeoutMs = 30_000): Promise<RunResult> =>
    lab.homeExec([NODE, CLI, ...args], env, { timeoutMs });
  const spawnUp = (env: Env, args: readonly string[] = []): HomeProcess => {
    const p = lab.homeSpawn([NODE, CLI, 'up', ...args], env);
    ups.add(p);
    void p.exited.then(() => ups.delete(p));
    return p;
  };
  const status = async (env: Env): Promise<StatusJson> => {
    const r = await cli(['status', '--json'], env);
    assert.equal(r.code, 0, `status --json: ${out(r)}`);
    return JSON.parse(r.stdout) as StatusJson;
  };
  /** Polls `status --json` until `ok(route centre, status)`; returns it and the time it took. */
  const waitStatus = async (
    env: Env,
    what: string,
    ok: (r: UpRouteStatus | undefined, s: StatusJson) => boolean,
    timeoutMs: number,
  ): Promise<{ s: StatusJson; route: UpRouteStatus; ms: number }> => {
    const t0 = performance.now();
    let last: StatusJson | undefined;
    for (;;) {
      last = await status(env);
      const route = last.routes['centre'];
      if (ok(route, last) && route !== undefined) return { s: last, route, ms: performance.now() - t0 };
      if (performance.now() - t0 > timeoutMs) {
        assert.fail(`route centre not ${what} after ${timeoutMs} ms: ${routeText(route)}\n${JSON.stringify(last, null, 1)}`);
      }
      await sleep(150);
    }
  };
  const pingA = async (env: Env, label: string): Promise<RunResult> => {
    const r = await cli(['client', '--server=a', '--ping'], env);
    assert.equal(r.code, 0, `${label}: client --server=a --ping: ${out(r)}`);
    assert.match(r.stdout, /ping server\(machine1:4141\) succeeded/);
    return r;
  };
  const homeNs = namespaceInode(lab.ns.home);
  assert.ok(homeNs !== undefined, 'home namespace inode');
  const sshAtHome = (): number[] => processesInNamespace(homeNs).filter((pid) => comm(pid) === 'ssh');
  const jumpConnections = (): number => readFileSync(lab.sshd.jump.log, 'utf8').split('\n').filter((l) => l.startsWith('Connection from ')).length;
  const fingerprint = async (publicKey: string): Promise<string> => {
    const r = await runOk('ssh-keygen', ['-l', '-f', '-'], { input: `${publicKey.trim()}\n` });
    const m = /(SHA256:\S+)/.exec(r.stdout);
    assert.ok(m?.[1], r.stdout);
    return m[1];
  };

  // The main `up` (--json: its event lines carry timestamps), shared by the subtests below.
  let main: { up: HomeProcess; env: Env; runtime: string } | undefined;
  const requireMain = (): { up: HomeProcess; env: Env; runtime: string } => {
    assert.ok(main !== undefined && main.up.alive(), `the main 'up' is not running:\n${main?.up.stdout() ?? ''}\n${main?.up.stderr() ?? ''}`);
    return main;
  };
  const figures: string[] = [];
  const figure = (t2: TestContext, line: string): void => {
    figures.push(line);
    t2.diagnostic(`FIGURES ${line}`);
  };

  // ---------------------------------------------------------------- 1. the happy path
  await t.test('up: one route, both servers, both log servers; status, client, output; no /etc/hosts edits', async (st) => {
    const homeHosts = `/etc/netns/${lab.ns.home}/hosts`;
    const before = { netns: sha256(homeHosts), etc: sha256('/etc/hosts') };
    const { env, runtime } = await newEnv(mainConfig);

    const spawnedAt = performance.now();
    const spawnedWall = Date.now();
    const up = spawnUp(env, ['--json']);
    main = { up, env, runtime };
    // A client started before up.json exists would start its own route: wait for the file first.
    const upJson = join(runtime, 'up.json');
    while (!existsSync(upJson)) {
      assert.ok(up.alive(), `up exited:\n${up.stdout()}\n${up.stderr()}`);
      assert.ok(performance.now() - spawnedAt < 15_000, 'no up.json after 15 s');
      await sleep(10);
    }
    let attempts = 0;
    let last: RunResult | undefined;
    for (;;) {
      attempts++;
      last = await cli(['client', '--server=a', '--ping'], env);
      if (last.code === 0) break;
      assert.equal(last.code, 3, `a ping while the route comes up fails as unreachable: ${out(last)}`);
      assert.ok(performance.now() - spawnedAt < 30_000, `no successful ping within 30 s: ${out(last)}`);
    }
    const firstPingMs = performance.now() - spawnedAt;
    const events = up
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { at: string; event: string; status?: { state: string } });
    const upEvent = events.find((e) => e.event === 'route' && e.status?.state === 'up');
    assert.ok(upEvent, `no 'route up' event from up --json:\n${up.stdout()}`);
    const routeUpMs = Date.parse(upEvent.at) - spawnedWall;
    figure(
      st,
      `time from spawning \`ecflow-remote up\` to the first successful \`ecflow-remote client --server=a --ping\`: ${Math.round(firstPingMs)} ms ` +
        `(route 'up' ${routeUpMs} ms after the spawn; ${attempts} client call(s), the successful one took ${Math.round(last.ms)} ms of it)`,
    );

    // status --json: the route up with a SOCKS port and the certificate's expiry; the servers checked.
    const { s, route } = await waitStatus(env, 'up with every server checked', (r, x) => r?.state === 'up' && ['a', 'b', 'me'].every((n) => x.servers[n] !== undefined), 20_000);
    assert.equal(s.up?.pid, up.pid, 'status names the pid of our up');
    assert.equal(s.up?.configPath, mainConfig);
    assert.ok(Number.isInteger(route.socksPort) && route.socksPort! > 1024, `SOCKS port ${route.socksPort}`);
    assert.ok(route.pid !== undefined && comm(route.pid) === 'ssh', `master pid ${route.pid} is ssh (${comm(route.pid ?? 0)})`);
    assert.ok(route.controlPath?.startsWith(runtime), `control socket in the private runtime dir: ${route.controlPath}`);
    assert.ok(route.certificate, 'certificate in the status');
    assert.equal(route.certificate.path, lab.user.certificate);
    assert.equal(route.certificate.expired, false);
    const leftMin = (Date.parse(route.certificate.validTo ?? '') - Date.now()) / 60_000;
    assert.ok(leftMin > 50 && leftMin <= 61, `certificate expiry ${route.certificate.validTo} (${leftMin.toFixed(1)} min from now; issued for 1 h)`);
    for (const [name, address] of [['a', 'machine1:4141'], ['b', 'machine2:4142']] as const) {
      const c = s.servers[name];
      assert.ok(c, `server ${name} checked`);
      assert.deepEqual({ reachable: c.reachable, version: c.version, address: c.address, route: c.route, error: c.error }, { reachable: true, version: '5.9.2', address, route: 'centre', error: undefined });
    }
    assert.equal(s.servers['me']?.error?.code, 'AUTH', JSON.stringify(s.servers['me']));
    const text = await cli(['status'], env);
    assert.equal(text.code, 0, out(text));
    assert.match(text.stdout, new RegExp(`centre +up \\(SOCKS 127\\.0\\.0\\.1:${route.socksPort}, certificate valid until `));
    assert.match(text.stdout, /a +machine1:4141 +via centre +reachable, ecFlow 5\.9\.2/);
    assert.match(text.stdout, /b +machine2:4142 +via centre +reachable, ecFlow 5\.9\.2/);

    // client --server=a (white list: remote_user)
    await pingA(env, 'a');
    const suites = await cli(['client', '--server=a', '--suites'], env);
    assert.equal(suites.code, 0, out(suites));
    assert.match(suites.stdout, /\blab_a\b/);
    const get = await cli(['client', '--server=a', '--get=/lab_a'], env);
    assert.equal(get.code, 0, out(get));
    assert.match(get.stdout, /^suite lab_a$/m);
    assert.match(get.stdout, /^ +task hello$/m);
    assert.match(get.stdout, /edit LAB_SERVER 'A'/);
    const suspend = await cli(['client', '--server=a', '--suspend=/lab_a/f/hello'], env);
    assert.equal(suspend.code, 0, out(suspend));
    const suspended = await cli(['client', '--server=a', '--get_state=/lab_a/f/hello'], env);
    assert.equal(suspended.code, 0, out(suspended));
    assert.match(suspended.stdout, /task hello\b.*\bsuspended\b/, out(suspended));
    const resume = await cli(['client', '--server=a', '--resume=/lab_a/f/hello'], env);
    assert.equal(resume.code, 0, out(resume));
    const resumed = await cli(['client', '--server=a', '--get_state=/lab_a/f/hello'], env);
    assert.equal(resumed.code, 0, out(resumed));
    assert.match(resumed.stdout, /task hello\b/);
    assert.doesNotMatch(resumed.stdout, /suspended/, out(resumed));

    // client --server=b (custom user + password file)
    for (const args of [['--ping'], ['--suites'], ['--get=/lab_b']]) {
      const r = await cli(['client', '--server=b', ...args], env);
      assert.equal(r.code, 0, `b ${args.join(' ')}: ${out(r)}`);
      assert.equal(r.stderr, '', `no warning (the password file is 0600): ${r.stderr}`);
      if (args[0] === '--get=/lab_b') {
        assert.match(r.stdout, /^suite lab_b$/m);
        assert.match(r.stdout, /edit LAB_SERVER 'B'/);
      }
    }

    // Our local login name is not on A's white list: refused, exit 4, the server's words verbatim
    // (the same text as ecflow_client prints for the same login name inside the centre).
    const login = (await lab.homeExec(['id', '-un'])).stdout.trim();
    for (const action of ['--ping', '--suites']) {
      const refused = await cli(['client', '--server=me', action], env);
      assert.equal(refused.code, 4, `client --server=me ${action}: ${out(refused)}`);
      assert.equal(refused.stdout, '');
      const reference = await lab.centreExec('workstation', ['ecflow_client', '--host=machine1', '--port=4141', action]);
      assert.notEqual(reference.code, 0, out(reference));
      assert.match(reference.stderr, new RegExp(`User '${login}' is not allowed any access`), out(reference));
      assert.equal(refused.stderr.trim(), reference.stderr.trim(), 'the same text as ecflow_client');
    }

    // output: the log server of each suite serves it through the route (stderr names the source).
    for (const [server, path, logServer, file, line] of [
      ['a', '/lab_a/f/hello', 'logserver1:9316', lab.servers.a.outputPath('f/hello'), 'hello from /lab_a/f/hello on machine1, server A, try 1'],
      ['b', '/lab_b/f/fails', 'logserver2:9316', lab.servers.b.outputPath('f/fails'), 'task /lab_b/f/fails is about to fail'],
    ] as const) {
      const r = await cli(['output', `--server=${server}`, path], env);
      assert.equal(r.code, 0, out(r));
      assert.equal(r.stderr, `# ${file} (try 1, current) from log server ${logServer}\n`, out(r));
      assert.ok(r.stdout.includes(line), out(r));
      assert.equal(r.stdout, readFileSync(file, 'utf8'), 'the whole job output');
    }

    // Names are resolved by the far end of the route: nothing was added to any hosts file.
    assert.deepEqual({ netns: sha256(homeHosts), etc: sha256('/etc/hosts') }, before, 'hosts files unchanged');
    for (const name of ['machine1', 'machine2', 'logserver1']) {
      const r = await lab.homeExec(['getent', 'hosts', name]);
      assert.equal(r.code, 2, `home resolves ${name}: ${out(r)}`);
    }
  });

  // ---------------------------------------------------------------- 2. figures for the README
  await t.test('measure: a request through the route against a direct one', async (st) => {
    const { env } = requireMain();
    const { route } = await waitStatus(env, 'up', (r) => r?.state === 'up', 20_000);
    const args = ['--host', 'machine1', '--port', '4141', '--remote-user', lab.centreUser, '--count', '20', '--warmup', '3'];
    const through = await lab.homeExec([NODE, PING, ...args, '--socks', String(route.socksPort)], undefined, { timeoutMs: 60_000 });
    const direct = await lab.centreExec('workstation', [NODE, PING, ...args], undefined, { timeoutMs: 60_000 });
    const parse = (r: RunResult, label: string): number[] => {
      assert.equal(r.code, 0, `${label}: ${out(r)}`);
      const j = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { ok: boolean; ms: number[] };
      assert.ok(j.ok && j.ms.length === 20, `${label}: ${r.stdout}`);
      return j.ms;
    };
    const viaMs = parse(through, 'through the route');
    const directMs = parse(direct, 'direct');
    const [mv, md] = [median(viaMs), median(directMs)];
    const range = (v: number[]): string => `${fmt(Math.min(...v))}–${fmt(Math.max(...v))}`;
    figure(
      st,
      `ping round trip with our client (one TCP connection per request), median of 20: through the route ` +
        `(SOCKS → ssh master → jump → workstation → machine1) ${fmt(mv)} ms (${range(viaMs)}); direct inside the centre ${fmt(md)} ms ` +
        `(${range(directMs)}); the route adds ${fmt(mv - md)} ms per request`,
    );
    assert.ok(mv < 1000, `median through the route ${mv} ms`);

    // Whole commands (process start-up included), as a user sees them.
    const cliMs: number[] = [];
    const refMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      cliMs.push((await pingA(env, `command ${i}`)).ms);
      const r = await lab.centreExec('workstation', ['ecflow_client', '--host=machine1', '--port=4141', '--ping'], undefined, { asUser: lab.centreUser });
      assert.equal(r.code, 0, out(r));
      refMs.push(r.ms);
    }
    const ownDirect: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await lab.centreExec('workstation', [NODE, CLI, 'client', '--host=machine1', '--port=4141', `--remote-user=${lab.centreUser}`, '--ping']);
      assert.equal(r.code, 0, out(r));
      ownDirect.push(r.ms);
    }
    figure(
      st,
      `whole commands, median of 5 (process start-up included): \`ecflow-remote client --server=a --ping\` at home through the route ` +
        `(attached to up) ${fmt(median(cliMs))} ms; \`ecflow-remote client --host=machine1 --ping\` inside the centre ${fmt(median(ownDirect))} ms; ` +
        `\`ecflow_client --ping\` inside the centre ${fmt(median(refMs))} ms`,
    );
  });

  // ---------------------------------------------------------------- 3. master killed
  await t.test('the ssh master killed (SIGKILL): recovered within 15 s, the next command works', async (st) => {
    const { env } = requireMain();
    const { route } = await waitStatus(env, 'up', (r) => r?.state === 'up', 20_000);
    const pid = route.pid;
    assert.ok(pid !== undefined && comm(pid) === 'ssh', `master pid ${pid}`);
    process.kill(pid, 'SIGKILL');
    const back = await waitStatus(env, 'up again with a new master', (r) => r?.state === 'up' && r.pid !== undefined && r.pid !== pid, 15_000);
    assert.ok(back.route.reconnects > route.reconnects, `reconnects ${route.reconnects} → ${back.route.reconnects}`);
    assert.match(back.route.lastError?.message ?? '', /SIGKILL/, 'the last error says what happened');
    st.diagnostic(`recovered in ${Math.round(back.ms)} ms (master ${pid} → ${back.route.pid})`);
    await pingA(env, 'after the master was killed');
  });

  // ---------------------------------------------------------------- 4. network down and back
  await t.test('link down (health probe fails) and up again: recovered, a command works', async (st) => {
    const { env } = requireMain();
    await waitStatus(env, 'up', (r) => r?.state === 'up', 20_000);
    await lab.linkDown();
    let linkIsDown = true;
    try {
      // Health probe every 10 s, 5 s timeout, 2 failures in a row: ~20 s.
      const down = await waitStatus(env, 'down', (r) => r?.state !== 'up', 40_000);
      st.diagnostic(`left 'up' ${Math.round(down.ms)} ms after the link went down: ${routeText(down.route)}`);
      assert.equal(down.route.lastError?.kind, 'network', routeText(down.route));
      const r = await cli(['client', '--server=a', '--ping'], env);
      assert.equal(r.code, 3, `while the route is down a command fails at once: ${out(r)}`);
      assert.ok(r.ms < 5000, `failed in ${Math.round(r.ms)} ms`);
      assert.match(r.stderr, /route 'centre'/, out(r));
      await lab.linkUp();
      linkIsDown = false;
      const back = await waitStatus(env, 'up again', (x) => x?.state === 'up', 30_000);
      st.diagnostic(`up again ${Math.round(back.ms)} ms after the link came back`);
      await pingA(env, 'after the link came back');
    } finally {
      if (linkIsDown) await lab.linkUp();
    }
  });

  // ---------------------------------------------------------------- 5. certificate expired
  await t.test('certificate expired: needs-login (no attempts at the jump host), a new certificate reconnects the same up', async (st) => {
    const { env, up } = requireMain();
    const { route } = await waitStatus(env, 'up', (r) => r?.state === 'up', 30_000);
    await lab.issueCertificate({ validFor: '-1m' });
    const before = jumpConnections();
    process.kill(route.pid!, 'SIGKILL'); // the open master would keep working: a new login is needed only now
    const nl = await waitStatus(env, 'needs-login', (r) => r?.state === 'needs-login', 20_000);
    const message = nl.route.lastError?.message ?? '';
    assert.equal(nl.route.lastError?.kind, 'auth');
    assert.match(message, /expired/, message);
    assert.ok(message.includes(LOGIN_COMMAND), `the message names the login command: ${message}`);
    assert.ok(message.includes(lab.user.certificate), `the message names the certificate: ${message}`);
    assert.equal(nl.route.certificate?.expired, true);
    st.diagnostic(`needs-login after ${Math.round(nl.ms)} ms: ${message}`);
    const text = await cli(['status'], env);
    assert.match(text.stdout, /centre +needs login: .*expired.*tsh login/, out(text));
    const refused = await cli(['client', '--server=a', '--ping'], env);
    assert.equal(refused.code, 3, out(refused));
    assert.ok(refused.ms < 5000, `a command fails at once (${Math.round(refused.ms)} ms)`);
    assert.ok(refused.stderr.includes(LOGIN_COMMAND) && /expired/.test(refused.stderr), out(refused));

    // No hammering: the certificate is checked locally before each attempt.
    await sleep(10_000);
    const after = jumpConnections();
    st.diagnostic(`jump sshd connections while the certificate was expired: ${after - before} in ${Math.round(nl.ms / 1000 + 10)} s`);
    assert.ok(after - before <= 1, `jump host saw ${after - before} connections`);
    assert.doesNotMatch(readFileSync(lab.sshd.jump.log, 'utf8'), /Certificate invalid: expired/);
    const still = await status(env);
    assert.equal(still.routes['centre']?.state, 'needs-login', routeText(still.routes['centre']));

    // "tsh login" done: a new certificate → reconnect by itself, same `up`.
    await lab.issueCertificate({ validFor: '+10m' });
    const back = await waitStatus(env, 'up with the new certificate', (r) => r?.state === 'up', 20_000);
    st.diagnostic(`up again ${Math.round(back.ms)} ms after the new certificate`);
    assert.equal(back.s.up?.pid, up.pid, 'the same up process');
    assert.ok(up.alive());
    assert.equal(back.route.certificate?.expired, false);
    const leftMin = (Date.parse(back.route.certificate?.validTo ?? '') - Date.now()) / 60_000;
    assert.ok(leftMin > 8 && leftMin <= 10.1, `new expiry ${back.route.certificate?.validTo}`);
    await pingA(env, 'after the new certificate');
  });

  // ---------------------------------------------------------------- 8. SIGTERM
  await t.test('up stops cleanly on SIGTERM: exit 0, no ssh left at home, up.json removed', async () => {
    const { up, env, runtime } = requireMain();
    main = undefined;
    try {
      assert.ok(sshAtHome().length > 0, 'the master runs before');
      process.kill(up.pid, 'SIGTERM');
      const exit = await within(up.exited, 15_000);
      assert.notEqual(exit, 'timeout', 'up did not stop within 15 s');
      assert.deepEqual(exit, { code: 0, signal: null }, `up exit:\n${up.stderr()}`);
      assert.deepEqual(sshAtHome(), [], 'ssh processes left in the home namespace');
      assert.equal(existsSync(join(runtime, 'up.json')), false, 'up.json removed');
      assert.deepEqual(readdirSync(runtime), [], 'runtime dir empty (control socket, owner file removed)');
      const events = up.stdout().trim().split('\n').map((l) => JSON.parse(l) as { event: string; status?: { state: string } });
      const stop = events.findIndex((e) => e.event === 'stop');
      assert.ok(stop >= 0, `a 'stop' event:\n${up.stdout()}`);
      assert.ok(events.slice(stop).some((e) => e.event === 'route' && e.status?.state === 'idle'), `route idle after stop:\n${up.stdout()}`);
      const s = await status(env);
      assert.equal(s.up, null);
    } finally {
      // Whatever happened, the next cases start without this up and its master.
      if (up.alive()) await up.kill('SIGKILL');
      for (const pid of sshAtHome()) process.kill(pid, 'SIGKILL');
    }
  });

  // ---------------------------------------------------------------- 6. busy SOCKS port
  await t.test('socks_port busy: up says so clearly (no fallback), client fails at once with that message', async (st) => {
    const busy = await lab.busyHomePort();
    try {
      const config = await lab.writeFile('busy.toml', `${routeTable(`socks_port = ${busy.port}\n`)}\n${serverA}`);
      const { env } = await newEnv(config);
      const up = spawnUp(env);
      const line = new RegExp(`route centre: failed: SOCKS port 127\\.0\\.0\\.1:${busy.port} \\(socks_port of route 'centre'\\) is already in use`);
      await up.waitForOutput(line, 15_000);
      const s = await status(env);
      const route = s.routes['centre'];
      assert.equal(route?.state, 'failed', routeText(route));
      assert.equal(route.lastError?.kind, 'port-in-use');
      assert.deepEqual(sshAtHome(), [], 'no ssh was started');
      const r = await cli(['client', '--server=a', '--ping'], env);
      assert.equal(r.code, 3, out(r));
      assert.ok(r.ms < 10_000, `client gave up after ${Math.round(r.ms)} ms`);
      assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${busy.port} .*already in use`), out(r));
      st.diagnostic(`client with up running: ${r.stderr.trim()}`);
      process.kill(up.pid, 'SIGTERM');
      assert.deepEqual(await up.exited, { code: 0, signal: null }, up.stderr());
      // Without a running up, client starts the route itself: the same clear failure, no hang.
      const own = await cli(['client', '--server=a', '--ping'], env);
      assert.equal(own.code, 3, out(own));
      assert.ok(own.ms < 15_000, `client (own route) gave up after ${Math.round(own.ms)} ms`);
      assert.match(own.stderr, new RegExp(`127\\.0\\.0\\.1:${busy.port} .*already in use`), out(own));
    } finally {
      await busy.release();
    }
  });

  // ---------------------------------------------------------------- 7. wrong host key
  await t.test('changed host key (workstation, then jump host): failed with the refusal and the fingerprint', async (st) => {
    const config = await lab.writeFile('hostkey.toml', `${routeTable()}\n${serverA}`);
    for (const [hop, name, key] of [['ws', 'workstation', lab.hostKeys.workstation], ['jump', 'jump.centre.test', lab.hostKeys.jump]] as const) {
      const fp = await fingerprint(key);
      await lab.wrongHostKey(hop);
      try {
        const { env } = await newEnv(config);
        const up = spawnUp(env);
        await up.waitForOutput(/route centre: failed: /, 20_000);
        const { route } = await waitStatus(env, 'failed', (r) => r?.state === 'failed', 10_000);
        const e = route.lastError;
        assert.equal(e?.kind, 'hostkey', routeText(route));
        assert.match(e.message, new RegExp(`host key for ${name.replace(/\./g, '\\.')} has CHANGED`), e.message);
        assert.ok(e.message.includes(fp), `the message shows the fingerprint ${fp}: ${e.message}`);
        assert.equal(e.fingerprint, fp);
        assert.equal(e.hop, name);
        st.diagnostic(`${hop}: ${e.message.slice(0, 160)}…`);
        const r = await cli(['client', '--server=a', '--ping'], env);
        assert.equal(r.code, 3, out(r));
        assert.match(r.stderr, /host key for .* has CHANGED/, out(r));
        process.kill(up.pid, 'SIGTERM');
        assert.deepEqual(await up.exited, { code: 0, signal: null }, up.stderr());
        assert.deepEqual(sshAtHome(), []);
      } finally {
        await lab.restoreHostKeys();
      }
    }
  });

  const totalS = ((performance.now() - testStart) / 1000).toFixed(1);
  t.diagnostic(`total ${totalS} s`);
  for (const f of figures) console.log(`FIGURES ${f}`);
});
