/**
 * From a clean clone: `ecflow-remote demo` shows a live suite in the browser. The real command
 * (`node bin/ecflow-remote.js demo --no-open`, Debian's ecflow_server and ecflow_logsvr) is spawned
 * as a user would; the address it prints is opened in Chromium (playwright-core, /usr/bin/chromium).
 *
 * Checked: the server row and the suite appear; the families expand to their tasks; the Problems
 * view lists /demo/checks/quality as aborted; a task changes state on its own (the suite keeps
 * running); the aborted task's Output comes from the log server with the job's own text; SIGTERM
 * makes the demo exit 0, with its ecflow_server, its jobs and its directory gone.
 * Screenshot: docs/screenshots/demo.png (written when missing, or with UPDATE_SCREENSHOTS=1).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { cleanEnv } from './helpers/env.js';
import { guardPid, isAlive, unguardPid } from './helpers/run.js';
import { makeTempDir } from './helpers/tmp.js';
import { assertNoErrors, expandRow, openPanel, problem, row, rowState, sleep } from './helpers/ui-e2e-page.js';
import { CHROMIUM, repoPath, shotOnce } from './ui-tree-harness.js';

const CLI = fileURLToPath(new URL('../../bin/ecflow-remote.js', import.meta.url));

/** Resolves with 'timeout' after `ms` without keeping the process alive. */
const timeout = (ms: number): Promise<'timeout'> => new Promise((r) => setTimeout(() => r('timeout'), ms).unref());

/** PIDs of the processes whose command line mentions `text` (the demo's jobs name their files). */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text)) pids.push(Number(name));
    } catch {
      // gone
    }
  }
  return pids;
}

test('From a clean clone: `ecflow-remote demo` shows a live suite in the browser', async (t) => {
  const t0 = performance.now();
  const home = await makeTempDir('ui-demo');
  // A user's environment, but nothing of theirs: an empty HOME, no config, no ECF_* variables.
  const env: NodeJS.ProcessEnv = { ...cleanEnv(), HOME: home, XDG_CONFIG_HOME: `${home}/.config`, XDG_RUNTIME_DIR: home };
  delete env['ECFLOW_REMOTE_CONFIG'];
  const demo = spawn(process.execPath, [CLI, 'demo', '--no-open'], { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.ok(demo.pid !== undefined);
  guardPid(demo.pid);
  let out = '';
  let err = '';
  demo.stdout.on('data', (b: Buffer) => (out += b.toString()));
  demo.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => demo.once('close', (code, signal) => r({ code, signal })));
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  let serverPid: number | undefined;
  let dir: string | undefined;
  t.after(async () => {
    await browser?.close();
    if (demo.exitCode === null && demo.signalCode === null) {
      demo.kill('SIGTERM');
      await Promise.race([exited, timeout(10_000)]);
      if (demo.exitCode === null && demo.signalCode === null) demo.kill('SIGKILL');
    }
    unguardPid(demo.pid!);
    // Whatever a failed run left: the server and the jobs (found by the demo directory's name).
    for (const pid of [...(serverPid !== undefined && isAlive(serverPid) ? [serverPid] : []), ...(dir !== undefined ? processesMentioning(dir) : [])]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });

  // ---------------------------------------------------------------- the address it prints
  const deadline = Date.now() + 30_000;
  while (!/ecflow-remote demo UI: (\S+)\n/.test(out) || !/\(pid \d+\)/.test(err)) {
    assert.ok(Date.now() < deadline && demo.exitCode === null, `no address from the demo:\nstdout: ${out}\nstderr: ${err}`);
    await sleep(50);
  }
  const url = /ecflow-remote demo UI: (\S+)\n/.exec(out)![1]!;
  serverPid = Number(/\(pid (\d+)\)/.exec(err)![1]);
  dir = /files in (\S+)/.exec(err)?.[1];
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  assert.ok(isAlive(serverPid), 'ecflow_server runs');
  assert.ok(dir !== undefined && existsSync(dir), `the demo directory: ${err}`);
  const startedMs = Math.round(performance.now() - t0);

  // ---------------------------------------------------------------- the browser
  browser = await chromium.launch(CHROMIUM);
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(url);
  assert.doesNotMatch(page.url(), /token=/, 'the token leaves the address bar');

  // The server row (favourite, expanded) and the suite.
  await row(page, 'demo', 1).waitFor({ timeout: 15_000 });
  await row(page, 'demo', 2).waitFor({ timeout: 15_000 });
  const shownMs = Math.round(performance.now() - t0);
  await expandRow(page, 'demo', 2);
  for (const family of ['operations', 'checks', 'monitoring']) await expandRow(page, family, 3);
  for (const task of ['fetch', 'process', 'archive', 'quality', 'report', 'heartbeat']) await row(page, task, 4).waitFor();

  // ---------------------------------------------------------------- the aborted task in Problems
  const quality = await problem(page, 'demo /demo/checks/quality aborted');
  assert.match(await rowState(page, 'quality', 4), /^aborted/);

  // ---------------------------------------------------------------- the suite runs on its own
  // heartbeat (4 s job in a repeat) and fetch (3 s job in a repeat) go submitted → active → complete
  // → queued in a loop: within ~20 s the browser shows a change it did not ask for.
  const seen: Record<string, string[]> = { heartbeat: [], fetch: [] };
  const watchStart = performance.now();
  const liveDeadline = Date.now() + 20_000;
  let changed: string | undefined;
  while (changed === undefined) {
    for (const name of Object.keys(seen)) {
      const s = await rowState(page, name, 4);
      const list = seen[name]!;
      if (list[list.length - 1] !== s) list.push(s);
      if (list.length >= 2) changed = `${name}: ${list.join(' → ')} in ${Math.round(performance.now() - watchStart)} ms`;
    }
    assert.ok(Date.now() < liveDeadline, `no task changed state within 20 s: ${JSON.stringify(seen)}`);
    await sleep(250);
  }

  // ---------------------------------------------------------------- its output, from the log server
  await quality.click();
  await page.locator('.ecf-panels-path', { hasText: /^\/demo\/checks\/quality$/ }).waitFor();
  const output = await openPanel(page, 'output');
  await output.locator('.ecf-output-source', { hasText: 'Output from log server localhost:' }).waitFor({ timeout: 15_000 });
  await output.locator('.ecf-line', { hasText: 'failed the quality check' }).waitFor();
  const source = await output.locator('.ecf-output-source').innerText();
  await shotOnce(page, repoPath('docs/screenshots/demo.png'));
  await assertNoErrors(page, 'demo');
  assert.deepEqual(pageErrors, [], 'no page errors');
  await browser.close();
  browser = undefined;

  // ---------------------------------------------------------------- SIGTERM: everything goes
  const jobsBefore = processesMentioning(dir);
  demo.kill('SIGTERM');
  const end = await Promise.race([exited, timeout(20_000)]);
  assert.notEqual(end, 'timeout', `the demo did not stop within 20 s:\n${err}`);
  assert.deepEqual(end, { code: 0, signal: null }, `the demo's exit:\n${err}`);
  const goneDeadline = Date.now() + 5000;
  while (isAlive(serverPid) || processesMentioning(dir).length > 0) {
    assert.ok(
      Date.now() < goneDeadline,
      `left behind after the demo stopped: ${isAlive(serverPid) ? `ecflow_server ${serverPid}; ` : ''}jobs ${processesMentioning(dir)
        .map((p) => `${p}: ${readFileSync(`/proc/${p}/cmdline`, 'utf8').replaceAll('\0', ' ')}`)
        .join('; ')}`,
    );
    await sleep(100);
  }
  assert.equal(existsSync(dir), false, `the demo directory ${dir} is removed`);
  t.diagnostic(
    `demo: address after ${startedMs} ms, suite in the browser after ${shownMs} ms; live change seen: ${changed}; ` +
      `${source}; ${jobsBefore.length} job processes at SIGTERM; total ${Math.round(performance.now() - t0)} ms`,
  );
});
