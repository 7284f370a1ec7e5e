/**
 * `ecflow-remote ecflow-ui` with the REAL ecflow_ui (5.9.2, Qt) under Xvfb in the namespace lab:
 * it loads the generated servers.txt and first session without an error, syncs both servers
 * through the forwards (A accepts the --login-name given through nss_wrapper, B the custom user
 * from the generated ECF_CUSTOM_PASSWD), and — driven with xdotool — fetches a job output from the
 * forwarded custom log server. Stopping the command (SIGTERM) ends ecflow_ui and closes the forwards.
 *
 * Optional: skipped without Xvfb or ecflow_ui (Debian packages xvfb, ecflow-client); the output
 * step needs xdotool, the nss_wrapper part libnss-wrapper. The stand-in test (ecflow-ui.test.ts)
 * needs none of them.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { canBuildLab, startCentreLab } from './helpers/lab/centre-lab.js';
import { keepTempFiles } from './helpers/tmp.js';

const CLI = fileURLToPath(new URL('../../bin/ecflow-remote.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the real ecflow_ui under Xvfb: generated config loads, both servers sync, output from the forwarded log server', async (t) => {
  const cap = await canBuildLab();
  if (!cap.ok) {
    t.diagnostic(`skipped: ${cap.reason}`);
    t.skip(cap.reason);
    return;
  }
  const lab = await startCentreLab();
  t.after(() => lab.stop());
  const have = async (program: string) => (await lab.homeExec(['sh', '-c', `command -v ${program}`])).code === 0;
  for (const [program, pkg] of [['Xvfb', 'xvfb'], ['ecflow_ui', 'ecflow-client']] as const) {
    if (!(await have(program))) {
      t.skip(`${program} is not installed (Debian package ${pkg})`);
      return;
    }
  }
  const xdotool = await have('xdotool');
  const nss = ['/usr/lib/x86_64-linux-gnu/libnss_wrapper.so', '/usr/lib/aarch64-linux-gnu/libnss_wrapper.so'].some((p) => existsSync(p));
  if (!xdotool) t.diagnostic('xdotool is not installed: the output step is skipped (Debian package xdotool)');
  if (!nss) t.diagnostic('libnss-wrapper is not installed: server A (white list) is not checked');

  const pw = await lab.writeFile('b.passwd', `4.5.0\necuser machine2 4142 ${lab.servers.b.password}\n`);
  chmodSync(pw, 0o600);
  const config = await lab.writeFile(
    'ui.toml',
    `[routes.centre]\ndestination = "ws"\nssh_config = "${lab.user.sshConfig}"\n` +
      `[servers.a]\nhost = "machine1"\nport = 4141\nroute = "centre"\nremote_user = "ecuser"\nfavourite = true\n` +
      `[servers.b]\nhost = "machine2"\nport = 4142\nroute = "centre"\ncustom_user = "ecuser"\npassword_file = "${pw}"\n`,
  );
  const runtime = mkdtempSync(join(tmpdir(), 'ecflow-ui-real-rt-'));
  chmodSync(runtime, 0o700);
  const home = join(lab.dir, 'ui-home');
  mkdirSync(home, { mode: 0o700 });

  let display = 0;
  for (let n = 60; n < 100 && display === 0; n++) if (!existsSync(`/tmp/.X11-unix/X${n}`) && !existsSync(`/tmp/.X${n}-lock`)) display = n;
  assert.notEqual(display, 0, 'no free X display number');
  // Xvfb, ecflow-remote and ecflow_ui live in the home namespace: lab.stop() kills them all.
  lab.homeSpawn(['Xvfb', `:${display}`, '-nolisten', 'tcp', '-screen', '0', '1280x1024x24']);
  for (let i = 0; i < 100 && !existsSync(`/tmp/.X11-unix/X${display}`); i++) await sleep(100);
  const env = { DISPLAY: `:${display}`, XDG_RUNTIME_DIR: runtime, HOME: home };
  const x = (args: readonly string[]) => lab.homeExec(args, env);

  const ui = lab.homeSpawn(
    ['node', CLI, 'ecflow-ui', `--config=${config}`, `--confd=${join(lab.dir, 'confd')}`, ...(nss ? [`--login-name=${lab.centreUser}`] : []), '--', '-log'],
    env,
  );
  const all = () => ui.stdout() + ui.stderr();
  const [, pA, logA] = /a +localhost:(\d+) → machine1:4141 via centre; log server 127\.0\.0\.1:(\d+) → logserver1:9316/.exec(await ui.waitForOutput(/starting: ecflow_ui/, 60_000)) ?? [];
  const [, pB] = /b +localhost:(\d+) → machine2:4142/.exec(all()) ?? [];
  assert.ok(pA && pB && logA, all());

  // Both servers loaded through the forwards (ecflow_ui's own log, -log).
  await ui.waitForOutput(new RegExp(`\\[localhost@${pB}\\]  sync end`), 60_000);
  if (nss) await ui.waitForOutput(new RegExp(`\\[localhost@${pA}\\]  sync end`), 30_000);
  assert.doesNotMatch(all(), /Could not parse|Unable to parse|unable to parse|^ERR:/m);
  assert.ok(ui.alive(), 'ecflow_ui keeps running (a bad servers.txt makes it exit)');
  // The servers saw ecflow_ui's requests under the expected names (our own defs sync is one of them).
  assert.ok((lab.servers.b.logTail(200).match(/--sync_full=0 :ecuser@/g) ?? []).length >= 2, lab.servers.b.logTail(30));
  if (nss) {
    // --stats comes from ecflow_ui's info panel only (our own defs sync does not send it).
    for (let i = 0; i < 100 && !/--stats :ecuser@/.test(lab.servers.a.logTail(200)); i++) await sleep(200);
    assert.match(lab.servers.a.logTail(200), /--stats :ecuser@/, 'A: ecflow_ui went as the white-listed login name');
  }

  if (xdotool) {
    // Select a/lab_a/f/hello (first row of the tree, keyboard), open its output.
    await x(['xdotool', 'mousemove', '46', '87', 'click', '1']);
    for (const keys of [['Right'], ['Down', 'Right'], ['Down', 'Right'], ['Down']]) {
      await sleep(700);
      await x(['xdotool', 'key', ...keys]);
    }
    await sleep(700);
    await x(['xdotool', 'mousemove', '551', '35', 'click', '1']);
    await ui.waitForOutput(new RegExp(`use logserver=127\\.0\\.0\\.1@${logA}[\\s\\S]*file transfer succeeded`), 20_000);
    if (await have('import')) {
      const shot = join(lab.dir, 'ecflow_ui-output.png');
      await x(['import', '-window', 'root', shot]);
      if (keepTempFiles()) t.diagnostic(`screenshot: ${shot}`);
    }
  }

  await ui.kill('SIGTERM', 15_000);
  const exit = await ui.exited;
  assert.equal(exit.code, 130, all());
  assert.match(ui.stderr(), /ecflow_ui exited/);
  for (const port of [pA, pB, logA]) {
    const r = await lab.homeTcp('127.0.0.1', Number(port), { timeoutMs: 1500 });
    assert.equal(r.ok, false, `127.0.0.1:${port} still open`);
  }
});
