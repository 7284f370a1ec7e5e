/**
 * The browser UI's panels, actions and dialogs (web/src/panels, actions, dialogs), driven with
 * Playwright (playwright-core + Debian's /usr/bin/chromium) against the real thing: the local UI
 * server (src/server, in-process) serving the web build (dist/web), a REAL ecflow_server whose jobs
 * run, and a REAL ecflow_logsvr serving their output.
 *
 * Checked: selecting a task shows its state in Info; Output says which source served it, searches
 * and follows a running job (output-more); deep links open a panel; Why/Triggers links select the
 * node; Variables add/override; Suspend/Resume/Set complete/Requeue from the context menu change
 * the tree row's state; a refused action shows the ecFlow server's text verbatim; a server added
 * in the dialog lands in the config (password 0600, never shown); the read-only switch hides write
 * actions; admin mode gates server actions. Screenshots go to docs/screenshots/.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../src/config/config.js';
import { startUiServer, type UiServerHandle } from '../src/server/ui-server.js';
import { startEcflowServer, type EcflowServer } from './helpers/ecflow-server.js';
import { applyEnv, cleanEnv } from './helpers/env.js';
import { listensOn } from './helpers/listen.js';
import { currentUser } from './helpers/os-user.js';
import { freePort } from './helpers/ports.js';
import { guardPid, setprivPrefix, unguardPid } from './helpers/run.js';
import { makeTempDir } from './helpers/tmp.js';
import { tryWebSocket } from './helpers/ui-server-client.js';

const CHROMIUM = process.env['CHROMIUM_BIN'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const LOGSVR_BIN = process.env['ECFLOW_LOGSVR_BIN'] ?? '/usr/sbin/ecflow_logsvr';
const REPO = resolve(import.meta.dirname, '..', '..');
const SHOTS = join(REPO, 'docs', 'screenshots');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Job scripts: report to the server, print, finish ('%' is ecFlow's variable marker, '%%' a percent sign).
const HEAD_H = `#!/bin/sh
set -e
ECF_HOST=%ECF_HOST%; ECF_PORT=%ECF_PORT%; ECF_NAME=%ECF_NAME%; ECF_PASS=%ECF_PASS%; ECF_TRYNO=%ECF_TRYNO%; ECF_RID=$$
ECF_TIMEOUT=60; ECF_DENIED=1
export ECF_HOST ECF_PORT ECF_NAME ECF_PASS ECF_TRYNO ECF_RID ECF_TIMEOUT ECF_DENIED
ecflow_client --init="$$"
trap 'rc=$?; trap - EXIT; if [ $rc -ne 0 ]; then ecflow_client --abort="exit code $rc"; fi; exit 0' EXIT
`;
const TAIL_H = `trap - EXIT
ecflow_client --complete
exit 0
`;
const SCRIPTS: Record<string, string> = {
  'ui/f/hello': `%include <head.h>\necho "UI-PANELS-MARKER from %ECF_NAME% try %ECF_TRYNO%"\nfor i in $(seq 1 30); do echo "line $i"; done\n%include <tail.h>\n%manual\nHELLO-MANUAL: what to do when hello fails\n%end\n`,
  'ui/f/big': `%include <head.h>\nseq 1 300000 | sed 's/^/big output row /'\n%include <tail.h>\n`,
  // Talks to the server every 0.3 s: requeued while it runs, the old job becomes a zombie.
  'ui/f/zomb': `%include <head.h>\ni=0\nwhile [ $i -lt 400 ]; do ecflow_client --label=progress "$i"; i=$((i + 1)); sleep 0.3; done\n%include <tail.h>\n`,
  'ui/f/slow': `%include <head.h>\nfor i in $(seq 1 80); do echo "tick $i"; sleep 0.5; done\n%include <tail.h>\n`,
};

function defs(ecfHome: string, logPort: number): string {
  return `suite ui
  edit ECF_INCLUDE '${join(ecfHome, 'include')}'
  edit ECF_LOGHOST 'localhost'
  edit ECF_LOGPORT '${logPort}'
  edit SUITE_COLOUR 'blue'
  family f
    task hello
    task slow
      trigger hello == complete
    task wait
      trigger hello == aborted
      edit MYVAR 'mine'
      event go
      label note "waiting"
    task zomb
      label progress ""
    task big
  endfamily
endsuite
`;
}

interface LogServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** ecflow_logsvr (perl) on a free port serving `logPath`, stopped by PID. */
async function startLogServer(logPath: string, dir: string): Promise<LogServer> {
  const port = await freePort({ min: 44000, max: 44999 });
  const out = openSync(join(dir, 'logsvr.out'), 'w');
  let child: ChildProcess;
  try {
    child = spawn('setpriv', [...setprivPrefix(), 'perl', LOGSVR_BIN], {
      cwd: dir,
      env: applyEnv(cleanEnv(), { LOGPORT: String(port), LOGPATH: logPath }),
      stdio: ['ignore', out, out],
    });
  } finally {
    closeSync(out);
  }
  const pid = child.pid;
  assert.ok(pid !== undefined, 'could not start ecflow_logsvr');
  guardPid(pid);
  const deadline = Date.now() + 10_000;
  while (!(await listensOn(pid, port))) {
    assert.ok(Date.now() < deadline && child.exitCode === null, `ecflow_logsvr did not listen on ${port}`);
    await sleep(50);
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let stopped = false;
  return {
    port,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.race([exited, sleep(5000)]);
      unguardPid(pid);
    },
  };
}

/** The web build: dist/web (npm run build), else a fresh vite build into `dir`. */
async function webBuild(dir: string): Promise<string> {
  const built = join(REPO, 'dist', 'web');
  if (existsSync(join(built, 'index.html')) && process.env['UI_PANELS_REBUILD'] === undefined) return built;
  const { build } = await import('vite');
  const outDir = join(dir, 'web');
  await build({ configFile: join(REPO, 'web', 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

describe('ui panels, actions and dialogs in a browser (real ui server, ecflow_server, ecflow_logsvr)', () => {
  let srv: EcflowServer;
  let logsvr: LogServer;
  let ui: UiServerHandle;
  let browser: Browser;
  let page: Page;
  let dir: string;
  let configPath: string;
  const user = currentUser().name;

  /**
   * A small screenshot for docs/screenshots: of an element (a dialog, the panels) or a region of the
   * page. Written when missing, or all again with UPDATE_SCREENSHOTS=1 (so a test run leaves the
   * committed pictures alone).
   */
  const shot = async (name: string, target?: { screenshot(o: { path: string }): Promise<unknown> }, clip?: { x: number; y: number; width: number; height: number }): Promise<void> => {
    const path = join(SHOTS, `${name}.png`);
    if (existsSync(path) && process.env['UPDATE_SCREENSHOTS'] !== '1') return;
    await mkdir(SHOTS, { recursive: true });
    if (target !== undefined) await target.screenshot({ path });
    else await page.screenshot({ path, ...(clip !== undefined ? { clip } : {}) });
  };
  const panels = () => page.locator('.ecf-panels');
  /** Select a node through the deep link and wait until the panels show it. */
  const go = async (server: string, path: string, panel?: string): Promise<void> => {
    const segs = path.split('/').filter((s) => s !== '');
    const hash = `#/s/${server}${segs.length > 0 ? '/n/' + segs.join('/') : ''}${panel !== undefined ? `?panel=${panel}` : ''}`;
    await page.evaluate((h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), hash);
    await page.locator('.ecf-panels-title').filter({ hasText: server }).waitFor();
    if (segs.length > 0) await page.locator('.ecf-panels-path', { hasText: new RegExp(`^${path}$`) }).waitFor();
    await page.locator('.row.selected').first().waitFor();
  };
  const tab = (name: string) => page.locator(`.ecf-tab[data-panel="${name}"]`);
  const pane = (name: string) => page.locator(`.ecf-pane-${name}:not([hidden])`);
  const selectedState = () => page.locator('.row.selected .state').first();
  const menuItem = (cls: string) => page.locator(`.ecf-menu .${cls}`);
  const rightClickSelected = async (): Promise<void> => {
    await page.keyboard.press('Escape');
    await page.locator('.row.selected').first().click({ button: 'right' });
    await page.locator('.ecf-menu').first().waitFor();
  };
  const nodeState = async (path: string): Promise<string> => {
    const r = await srv.ecflowClient(['--get_state', path]);
    return r.stdout;
  };
  const waitForState = async (path: string, re: RegExp, ms = 30_000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!re.test(await nodeState(path))) {
      assert.ok(Date.now() < deadline, `${path} never matched ${re}:\n${await nodeState(path)}`);
      await sleep(250);
    }
  };

  before(async () => {
    dir = await makeTempDir('ui-panels');
    // `guest` is a read-only user in the white list: its actions are refused by the server.
    srv = await startEcflowServer({ whiteList: `${user}\n-guest\n` });
    await mkdir(join(srv.ecfHome, 'include'), { recursive: true });
    await writeFile(join(srv.ecfHome, 'include', 'head.h'), HEAD_H);
    await writeFile(join(srv.ecfHome, 'include', 'tail.h'), TAIL_H);
    for (const [p, text] of Object.entries(SCRIPTS)) {
      await mkdir(join(srv.ecfHome, p, '..'), { recursive: true });
      await writeFile(join(srv.ecfHome, `${p}.ecf`), text);
    }
    logsvr = await startLogServer(srv.ecfHome, dir);
    const defsFile = join(dir, 'ui.def');
    await writeFile(defsFile, defs(srv.ecfHome, logsvr.port));
    for (const args of [[`--load=${defsFile}`], ['--begin=ui'], ['--restart']]) {
      const r = await srv.ecflowClient(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    configPath = join(dir, 'config.toml');
    await writeFile(
      configPath,
      `[servers.local]\nhost = "localhost"\nport = ${srv.port}\n\n[servers.guest]\nhost = "localhost"\nport = ${srv.port}\nremote_user = "guest"\n`,
      { mode: 0o600 },
    );
    const webRoot = await webBuild(dir);
    ui = await startUiServer({
      config: await loadConfig({ path: configPath, env: {} }),
      port: 0,
      webRoot,
      env: { ...process.env, ECFLOW_REMOTE_CONFIG: configPath, XDG_RUNTIME_DIR: dir, HOME: dir, ECFLOWUI_CONFIG_DIR: join(dir, '.ecflow_ui_v5') },
      poll: { minMs: 300, maxMs: 1000, minNewsGapMs: 200, retryInitialMs: 300, retryMaxMs: 1000 },
      log: () => undefined,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1200, height: 720 } });
    // Record what the page hands its sync worker (the worker owns the socket): Follow must use output-more.
    // And every text the status bar shows (a later message may replace it at once).
    await page.addInitScript(() => {
      const g = globalThis as unknown as {
        __status: string[];
        MutationObserver: new (cb: () => void) => { observe(n: unknown, o: object): void };
        document: { querySelector(s: string): { textContent: string | null } | null };
      };
      g.__status = [];
      new g.MutationObserver(() => {
        const t = g.document.querySelector('.statusbar')?.textContent ?? '';
        if (t !== '' && g.__status[g.__status.length - 1] !== t) g.__status.push(t);
      }).observe(g.document, { subtree: true, childList: true, characterData: true });
    });
    await page.addInitScript(() => {
      const sent: string[] = [];
      (globalThis as unknown as { __sent: string[] }).__sent = sent;
      const proto = (globalThis as unknown as { Worker: { prototype: { postMessage: (...a: unknown[]) => void } } }).Worker.prototype;
      const orig = proto.postMessage;
      proto.postMessage = function (this: unknown, message: unknown, ...rest: unknown[]) {
        try {
          sent.push(JSON.stringify(message));
        } catch {
          // not JSON: not a request
        }
        return orig.call(this, message, ...rest);
      };
    });
    await page.goto(ui.url);
    await page.locator('.ecf-actions').waitFor();
  });

  after(async () => {
    // Jobs still running outlive the server otherwise (they are not its children any more).
    await srv?.ecflowClient(['--kill', '/ui/f/slow', '/ui/f/zomb']).catch(() => undefined);
    await browser?.close();
    await ui?.close();
    await logsvr?.stop();
    await srv?.stop();
  });

  test('selecting a task shows its state in Info; the deep link opens the panel it names', async () => {
    await waitForState('/ui/f/hello', /task hello .*state:complete/);
    await go('local', '/ui/f/wait', 'info');
    const info = (label: string) => pane('info').locator('.ecf-info-node tr').filter({ has: page.locator('th', { hasText: new RegExp(`^${label}$`) }) }).locator('td');
    await info('Status').filter({ hasText: /^queued$/ }).waitFor();
    await info('Type').filter({ hasText: /^task$/ }).waitFor();
    await info('Default status').filter({ hasText: /^queued$/ }).waitFor();
    await shot('panel-info', panels());
    await go('local', '/', 'info');
    await pane('info').locator('.ecf-info-health').waitFor();
    await pane('info').locator('.ecf-info-text').first().waitFor();
    await shot('panel-info-server', panels());
    assert.match(await pane('info').locator('.ecf-info-text').first().innerText(), /Version|version/);
    await go('local', '/ui/f/hello', 'output');
    assert.equal(await tab('output').getAttribute('aria-selected'), 'true', 'the deep link names the Output panel');
  });

  test('Output: the source that served it, the text, search with highlights', async () => {
    await go('local', '/ui/f/hello', 'output');
    const p = pane('output');
    await p.locator('.ecf-output-source', { hasText: `log server` }).waitFor();
    assert.match(await p.locator('.ecf-output-source').innerText(), new RegExp(`log server .*:${logsvr.port}`));
    await p.locator('.ecf-line', { hasText: 'UI-PANELS-MARKER from /ui/f/hello try 1' }).waitFor();
    await p.locator('.ecf-search-input').fill('line 2');
    await p.locator('.ecf-search-count', { hasText: /^1 \/ 11$/ }).waitFor();
    await p.locator('.ecf-match-current').waitFor();
    await p.locator('.ecf-search-next').click();
    await p.locator('.ecf-search-count', { hasText: /^2 \/ 11$/ }).waitFor();
    await shot('panel-output', panels());
  });

  test('Output follows a running job through output-more', async () => {
    await waitForState('/ui/f/slow', /state:active/);
    await go('local', '/ui/f/slow', 'output');
    const p = pane('output');
    await p.locator('.ecf-line', { hasText: /tick \d/ }).first().waitFor();
    const follow = p.locator('.ecf-output-follow input');
    await follow.check();
    const before = await p.locator('.ecf-output-status').innerText();
    const ticksBefore = Number(/(\d+) lines/.exec(before)?.[1] ?? '0');
    const deadline = Date.now() + 20_000;
    for (;;) {
      const n = Number(/(\d+) lines/.exec(await p.locator('.ecf-output-status').innerText())?.[1] ?? '0');
      if (n >= ticksBefore + 4) break;
      assert.ok(Date.now() < deadline, `the output did not grow (${n} lines)`);
      await sleep(300);
    }
    const sent = await page.evaluate(() => (globalThis as unknown as { __sent: string[] }).__sent.filter((s) => s.includes('"output-more"')).length);
    assert.ok(sent > 0, 'Follow asked for output-more');
    await follow.uncheck();
  });

  test('Why and Triggers: node paths are links that select the node', async () => {
    await go('local', '/ui/f/wait', 'triggers');
    const t = pane('triggers');
    await t.locator('.ecf-expr-trigger').waitFor();
    assert.match(await t.locator('.ecf-expr-trigger').innerText(), /hello == aborted/);
    await t.locator('.ecf-trig-of .ecf-node-link', { hasText: '/ui/f/hello' }).waitFor();
    await shot('panel-triggers', panels());
    await tab('why').click();
    const w = pane('why');
    await w.locator('.ecf-why-reason').first().waitFor();
    await shot('panel-why', panels());
    await w.locator('.ecf-node-link', { hasText: '/ui/f/hello' }).first().click();
    await page.locator('.ecf-panels-path', { hasText: /^\/ui\/f\/hello$/ }).waitFor();
  });

  test('Variables: own, inherited and generated; add one; override an inherited one (a local copy)', async () => {
    await go('local', '/ui/f/wait', 'variables');
    const v = pane('variables');
    await v.locator('.ecf-var-own tr[data-name="MYVAR"]').waitFor();
    await v.locator('.ecf-var-inherited tr[data-name="ECF_LOGPORT"]').first().waitFor();
    await v.locator('.ecf-var-generated').first().waitFor();
    await v.locator('.ecf-var-add').click();
    const form = page.locator('dialog.ecf-namevalue');
    await form.locator('input[name="name"]').fill('NEWVAR');
    await form.locator('textarea[name="value"]').fill('forty two');
    await form.locator('.ecf-btn-primary').click();
    await v.locator('.ecf-var-own tr[data-name="NEWVAR"] .ecf-var-value', { hasText: 'forty two' }).waitFor();
    await v.locator('.ecf-var-inherited tr[data-name="SUITE_COLOUR"] .ecf-var-edit').first().click();
    await form.locator('.ecf-form-note', { hasText: 'local copy' }).waitFor();
    await shot('dialog-variable', form);
    await form.locator('textarea[name="value"]').fill('red');
    await form.locator('.ecf-btn-primary').click();
    await v.locator('.ecf-var-own tr[data-name="SUITE_COLOUR"] .ecf-var-value', { hasText: 'red' }).waitFor();
    await v.locator('.ecf-var-inherited tr[data-name="SUITE_COLOUR"].ecf-var-shadowed').waitFor();
    await shot('panel-variables', panels());
    const r = await srv.ecflowClient(['--get', '/ui/f/wait']);
    assert.match(r.stdout, /edit SUITE_COLOUR 'red'/);
  });

  test('context menu: Suspend, Resume, Set complete and Requeue change the tree row state', async () => {
    await go('local', '/ui/f/wait', 'info');
    await rightClickSelected();
    await shot('context-menu', undefined, { x: 0, y: 90, width: 640, height: 500 });
    await menuItem('ecf-action-execute').waitFor();
    assert.equal(await menuItem('ecf-action-resume').count(), 0, 'Resume is offered for suspended nodes only');
    await menuItem('ecf-action-suspend').click();
    await selectedState().filter({ hasText: /^suspended \(queued\)/ }).waitFor();
    await rightClickSelected();
    await menuItem('ecf-action-resume').click();
    await selectedState().filter({ hasText: /^queued/ }).waitFor();

    await rightClickSelected();
    await menuItem('ecf-action-set-complete').click();
    const confirm = page.locator('dialog.ecf-confirm');
    await confirm.waitFor();
    await shot('dialog-confirm', confirm);
    await confirm.locator('.ecf-btn-danger').click();
    await selectedState().filter({ hasText: /^complete/ }).waitFor();

    await rightClickSelected();
    await menuItem('ecf-action-requeue').click();
    await confirm.locator('.ecf-confirm-warning', { hasText: 'zombies' }).waitFor();
    await confirm.locator('.ecf-btn-plain', { hasText: 'Cancel' }).click();
    await sleep(300);
    assert.match(await selectedState().innerText(), /^complete/, 'cancelled: nothing sent');
    await rightClickSelected();
    await menuItem('ecf-action-requeue').click();
    await confirm.locator('.ecf-btn-danger').click();
    await selectedState().filter({ hasText: /^queued/ }).waitFor();
    // Keyboard: Shift+F10 opens the menu; Ctrl+S suspends the selection, Ctrl+R resumes it.
    await page.locator('.row.selected').first().click();
    await page.keyboard.press('Shift+F10');
    await menuItem('ecf-action-suspend').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('.ecf-menu').waitFor({ state: 'detached' });
    await page.keyboard.press('Control+s');
    await selectedState().filter({ hasText: /^suspended/ }).waitFor();
    await page.keyboard.press('Control+r');
    await selectedState().filter({ hasText: /^queued/ }).waitFor();
  });

  test('several nodes at once: one Suspend for both; an event row gets Set from its own menu', async () => {
    await go('local', '/ui/f/wait', 'info');
    const helloRow = page.locator('.row.kind-task', { has: page.locator('.label', { hasText: /^hello$/ }) }).first();
    await helloRow.click({ modifiers: ['Control'] });
    await page.locator('.row.selected').nth(1).waitFor();
    await page.locator('.row.selected').first().click({ button: 'right' });
    await page.locator('.ecf-menu-title', { hasText: '2 nodes' }).waitFor();
    assert.equal(await menuItem('ecf-action-execute').getAttribute('aria-disabled'), null);
    await menuItem('ecf-action-suspend').click();
    await page.locator('.row.selected .state', { hasText: /^suspended/ }).nth(1).waitFor();
    assert.match(await nodeState('/ui/f/hello'), /suspended:1|suspended/);
    await page.keyboard.press('Control+r');
    await page.locator('.row.selected .state', { hasText: /^suspended/ }).first().waitFor({ state: 'detached' });

    // A plain click selects only wait again.
    const waitRow = page.locator('.row.kind-task', { has: page.locator('.label', { hasText: /^wait$/ }) }).first();
    await waitRow.click();
    await page.locator('.row.selected').nth(1).waitFor({ state: 'detached' });
    if ((await waitRow.getAttribute('aria-expanded')) !== 'true') await waitRow.locator('.twisty').click();
    const event = page.locator('.row.attr-event[aria-label="event go clear"]').first();
    await event.click({ button: 'right' });
    await page.locator('.ecf-menu-title', { hasText: 'event go' }).waitFor();
    assert.equal(await menuItem('ecf-action-suspend').count(), 0, 'an attribute row offers attribute actions');
    assert.equal(await menuItem('ecf-action-clear-event').getAttribute('aria-disabled'), 'true', 'the event is clear already');
    await menuItem('ecf-action-set-event').click();
    await page.locator('.row.attr-event[aria-label="event go set"]').first().waitFor();
  });

  test('tries: after a rerun the Output offers both tries', async () => {
    await go('local', '/ui/f/hello', 'info');
    await rightClickSelected();
    await menuItem('ecf-action-rerun').click();
    await waitForState('/ui/f/hello', /task hello .*try:2 .*state:complete|task hello .*state:complete.*try:2/);
    await tab('output').click();
    const p = pane('output');
    await p.locator('.ecf-line', { hasText: 'UI-PANELS-MARKER from /ui/f/hello try 2' }).waitFor();
    await p.locator('.ecf-output-tries:not([hidden])').waitFor();
    assert.equal(await p.locator('.ecf-output-tries option').count(), 2);
    await p.locator('.ecf-output-tries').selectOption('1');
    await p.locator('.ecf-line', { hasText: 'UI-PANELS-MARKER from /ui/f/hello try 1' }).waitFor();
  });

  test('a large output (300 000 lines) stays fast: few DOM rows, capped highlights', async () => {
    await waitForState('/ui/f/big', /task big .*state:complete/, 60_000);
    await go('local', '/ui/f/big', 'output');
    const p = pane('output');
    const t0 = Date.now();
    await p.locator('.ecf-output-status', { hasText: '300000 lines' }).waitFor();
    const loadMs = Date.now() - t0;
    assert.ok((await p.locator('.ecf-line').count()) < 200, 'only the visible lines are in the DOM');
    const t1 = Date.now();
    // Above 5 M characters the search runs on Enter (ecflow_ui's large-file mode).
    await p.locator('.ecf-search-input').fill('row 29999');
    await p.locator('.ecf-search-count', { hasText: 'Enter to search' }).waitFor();
    await p.locator('.ecf-search-input').press('Enter');
    await p.locator('.ecf-search-count', { hasText: /^1 \/ 11$/ }).waitFor();
    const searchMs = Date.now() - t1;
    await p.locator('.ecf-match-current').waitFor();
    await p.locator('.ecf-search-input').fill('big output');
    await p.locator('.ecf-search-input').press('Enter');
    await p.locator('.ecf-search-count', { hasText: /^1 \/ 10000\+$/ }).waitFor();
    const scrollT = Date.now();
    await p.locator('.ecf-text-scroller').evaluate((e) => (e.scrollTop = e.scrollHeight));
    await p.locator('.ecf-line', { hasText: 'big output row 300000' }).waitFor();
    const scrollMs = Date.now() - scrollT;
    console.log(`# large output: shown in ${loadMs} ms (fetch included), search ${searchMs} ms, scroll to the end ${scrollMs} ms`);
  });

  test('Script, Job, Manual, Node log and Server log show the texts the server sends', async () => {
    await go('local', '/ui/f/hello', 'script');
    await pane('script').locator('.ecf-line', { hasText: 'UI-PANELS-MARKER from %ECF_NAME%' }).waitFor();
    await tab('job').click();
    await pane('job').locator('.ecf-line', { hasText: 'UI-PANELS-MARKER from /ui/f/hello' }).waitFor();
    await tab('manual').click();
    await pane('manual').locator('.ecf-line', { hasText: 'HELLO-MANUAL' }).waitFor();
    await go('local', '/ui/f/wait', 'node-log');
    await pane('node-log').locator('.ecf-line', { hasText: /suspend/ }).first().waitFor();
    await tab('server-log').click();
    const log = pane('server-log');
    await log.locator('.ecf-line', { hasText: /MSG:|LOG:/ }).first().waitFor();
    await log.locator('.ecf-lines-select').selectOption('500');
    await log.locator('.ecf-file-status', { hasText: /\d+ lines/ }).waitFor();
    await shot('panel-server-log', panels());
  });

  test('Zombies: the list and an action on a chosen zombie (after a confirmation)', async () => {
    await waitForState('/ui/f/zomb', /task zomb .*state:active/);
    const r = await srv.ecflowClient(['--requeue=force', '/ui/f/zomb']);
    assert.equal(r.code, 0, r.stderr);
    const deadline = Date.now() + 30_000;
    while (!(await srv.ecflowClient(['--zombie_get'])).stdout.includes('/ui/f/zomb')) {
      assert.ok(Date.now() < deadline, 'no zombie appeared');
      await sleep(300);
    }
    await go('local', '/ui/f/zomb', 'zombies');
    const z = pane('zombies');
    const row = z.locator('tr.ecf-zombie[data-path="/ui/f/zomb"]').first();
    await row.waitFor();
    assert.equal(await z.locator('.ecf-zombie-kill').isDisabled(), true, 'nothing chosen yet');
    await row.locator('input[type="checkbox"]').check();
    await shot('panel-zombies', panels());
    await z.locator('.ecf-zombie-kill').click();
    const confirm = page.locator('dialog.ecf-confirm');
    await confirm.locator('.ecf-confirm-items', { hasText: '/ui/f/zomb' }).waitFor();
    await confirm.locator('.ecf-btn-danger').click();
    // The status bar may be overwritten at once (a notification): look at everything it showed.
    await page.waitForFunction(() =>
      (globalThis as unknown as { __status: string[] }).__status.some((t) => t.startsWith('Zombie kill')) ||
      (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('.ecf-messages .ecf-error') !== null,
    );
    const errors = await page.locator('.ecf-messages .ecf-error').allInnerTexts();
    assert.deepEqual(errors, [], 'the zombie was killed');
  });

  test("a refused action shows the ecFlow server's own text, verbatim, until dismissed", async () => {
    // What the server answers the same request (through the same UI server).
    const origin = `http://127.0.0.1:${ui.port}`;
    const ws = await tryWebSocket(`ws://127.0.0.1:${ui.port}/ws?token=${ui.token}`, { Origin: origin });
    assert.ok('ws' in ws);
    const direct = await ws.ws.request({ what: 'action', server: 'guest', action: 'suspend', paths: ['/ui/f/wait'] });
    ws.ws.close();
    assert.equal(direct.ok, false);
    const expected = direct.ok ? '' : (direct.error.serverMessage ?? '');
    assert.match(expected, /guest has no \*write\* access/);

    await go('guest', '/ui/f/wait', 'info');
    await rightClickSelected();
    await menuItem('ecf-action-suspend').click();
    const msg = page.locator('.ecf-messages .ecf-server-message');
    await msg.waitFor();
    assert.equal(await msg.textContent(), expected);
    await shot('message-refused', page.locator('.ecf-messages'));
    await page.locator('.ecf-messages .ecf-error-dismiss').first().click();
    assert.equal(await msg.count(), 0);
    assert.match(await selectedState().innerText(), /^queued/);
  });

  test('Servers dialog: validation, add a server with a password (stored 0600, never shown)', async () => {
    const secret = 'pw-Secret-4711';
    await page.locator('.ecf-tool-servers').click();
    const list = page.locator('dialog.ecf-servers-dialog');
    await list.locator('tr[data-name="local"]').waitFor();
    await shot('dialog-servers', list);
    await list.locator('.ecf-servers-add').click();
    const form = page.locator('dialog.ecf-server-edit');
    await form.locator('input[name="name"]').fill('local');
    await form.locator('input[name="host"]').fill('my host');
    await form.locator('input[name="port"]').fill('41x');
    await form.locator('input[name="customUser"]').fill('a,b');
    await form.locator('.ecf-btn-primary').click();
    await form.locator('.ecf-field-name .ecf-field-error', { hasText: 'already exists' }).waitFor();
    assert.match(await form.locator('.ecf-field-host .ecf-field-error').innerText(), /white space/);
    assert.match(await form.locator('.ecf-field-port .ecf-field-error').innerText(), /digits/);
    assert.match(await form.locator('.ecf-field-customUser .ecf-field-error').innerText(), /commas/);
    await form.locator('input[name="name"]').fill('added');
    await form.locator('input[name="host"]').fill('localhost');
    await form.locator('input[name="port"]').fill(String(srv.port));
    await form.locator('input[name="customUser"]').fill('');
    await form.locator('input[name="remoteUser"]').fill('someone');
    await form.locator('input[name="password"]').fill(secret);
    await form.locator('input[name="favourite"]').check();
    await shot('dialog-add-server', form);
    await form.locator('.ecf-btn-primary').click();
    await list.locator('tr[data-name="added"] .ecf-server-pw', { hasText: 'set' }).waitFor();
    const text = await readFile(configPath, 'utf8');
    assert.match(text, /\[servers\.added\]/);
    assert.match(text, /remote_user = "someone"/);
    assert.ok(!text.includes(secret), 'the password is not in the config file');
    const pwFile = /password_file = "([^"]+)"/.exec(text.slice(text.indexOf('[servers.added]')))?.[1];
    assert.ok(pwFile !== undefined, text);
    assert.equal((await stat(pwFile)).mode & 0o777, 0o600);
    assert.ok((await readFile(pwFile, 'utf8')).includes(secret));
    await list.locator('tr[data-name="added"]').click();
    await list.locator('.ecf-servers-edit').click();
    await form.locator('.ecf-field-clearPassword').waitFor();
    assert.equal(await form.locator('input[name="password"]').inputValue(), '');
    assert.match((await form.locator('input[name="password"]').getAttribute('placeholder')) ?? '', /^set/);
    assert.ok(!(await page.content()).includes(secret), 'the password never reaches the page');
    await form.locator('.ecf-btn-plain', { hasText: 'Cancel' }).click();
    await list.locator('.ecf-dialog-buttons .ecf-btn', { hasText: 'Close' }).click();
  });

  test("Servers dialog: import ecflow_ui's servers.txt (counts shown), duplicate, remove", async () => {
    await mkdir(join(dir, '.ecflow_ui_v5'), { recursive: true });
    await writeFile(
      join(dir, '.ecflow_ui_v5', 'servers.txt'),
      '# Name, Host, Port, Favourite, System, Protocol, User\nops_a,machine1,4141,1,0,0,\nops b,machine2,4142,0,0,1,opsuser\nweb,machine3,8080,0,0,2,\n',
    );
    await page.locator('.ecf-tool-servers').click();
    const list = page.locator('dialog.ecf-servers-dialog');
    await list.locator('.ecf-servers-import').click();
    const result = list.locator('.ecf-import-result');
    await result.waitFor();
    assert.match(await result.locator('.ecf-import-counts').innerText(), /servers\.txt: 2 added \(ops_a, ops_b\), 1 skipped/);
    assert.match(await result.locator('.ecf-import-skipped').innerText(), /line 4 \(web\)/);
    await list.locator('tr[data-name="ops_b"] .ecf-server-user', { hasText: 'opsuser' }).waitFor();
    assert.equal(await list.locator('tr[data-name="ops_b"] .ecf-server-ssl').innerText(), 'ssl');
    await shot('dialog-servers-import', list);
    await list.locator('.ecf-servers-filter').fill('machine1');
    assert.equal(await list.locator('tr.ecf-server-row').count(), 1, 'the filter matches hosts too');
    await list.locator('.ecf-servers-filter').fill('');

    await list.locator('tr[data-name="ops_a"]').click();
    await list.locator('.ecf-servers-duplicate').click();
    const form = page.locator('dialog.ecf-server-edit');
    assert.equal(await form.locator('input[name="name"]').inputValue(), 'ops_a-1');
    assert.equal(await form.locator('input[name="host"]').inputValue(), 'machine1');
    await form.locator('.ecf-btn-primary').click();
    await list.locator('tr[data-name="ops_a-1"]').waitFor();
    await list.locator('.ecf-servers-remove').click();
    await page.locator('dialog.ecf-confirm .ecf-btn-danger').click();
    await list.locator('tr[data-name="ops_a-1"]').waitFor({ state: 'detached' });
    const text = await readFile(configPath, 'utf8');
    assert.match(text, /\[servers\.ops_a\]/);
    assert.doesNotMatch(text, /ops_a-1/);
    for (const name of ['ops_a', 'ops_b']) {
      await list.locator(`tr[data-name="${name}"]`).click();
      await list.locator('.ecf-servers-remove').click();
      await page.locator('dialog.ecf-confirm .ecf-btn-danger').click();
      await list.locator(`tr[data-name="${name}"]`).waitFor({ state: 'detached' });
    }
    await list.locator('.ecf-dialog-buttons .ecf-btn', { hasText: 'Close' }).click();
  });

  test('the read-only switch hides every write action', async () => {
    const setReadOnly = async (on: boolean): Promise<void> => {
      await page.locator('.ecf-tool-servers').click();
      const list = page.locator('dialog.ecf-servers-dialog');
      await list.locator('tr[data-name="local"]').click();
      await list.locator('.ecf-servers-edit').click();
      const form = page.locator('dialog.ecf-server-edit');
      await form.locator('input[name="readOnly"]').setChecked(on);
      await form.locator('.ecf-btn-primary').click();
      await list.locator('tr[data-name="local"] .ecf-server-ro', { hasText: on ? 'read-only' : /^$/ }).waitFor();
      await list.locator('.ecf-dialog-buttons .ecf-btn', { hasText: 'Close' }).click();
    };
    await setReadOnly(true);
    await go('local', '/ui/f/wait', 'variables');
    await page.locator('.ecf-readonly-badge:not([hidden])').waitFor();
    assert.equal(await page.locator('.ecf-tool-suspend:not([hidden])').count(), 0);
    await rightClickSelected();
    await menuItem('ecf-menu-readonly').waitFor();
    for (const cls of ['ecf-action-suspend', 'ecf-action-requeue', 'ecf-action-execute', 'ecf-submenu-special']) {
      assert.equal(await menuItem(cls).count(), 0, `${cls} is hidden`);
    }
    await menuItem('ecf-panel-output').waitFor();
    await page.keyboard.press('Escape');
    await pane('variables').locator('.ecf-var-own tr[data-name="MYVAR"]').waitFor();
    assert.equal(await pane('variables').locator('.ecf-var-add, .ecf-var-edit').count(), 0);
    await page.keyboard.press('Control+s');
    await sleep(500);
    assert.match(await selectedState().innerText(), /^queued/, 'Ctrl+S does nothing on a read-only server');
    await setReadOnly(false);
    await page.locator('.ecf-readonly-badge[hidden]').waitFor({ state: 'attached' });
  });

  test('admin mode (off by default, visibly on) gates the server actions', async () => {
    await go('local', '/');
    assert.equal(await page.locator('body.ecf-admin').count(), 0);
    await rightClickSelected();
    assert.equal(await menuItem('ecf-action-server-halt').count(), 0);
    assert.equal(await menuItem('ecf-action-server-checkpoint').count(), 0);
    await page.keyboard.press('Escape');
    await page.locator('.ecf-admin-switch input').check();
    await page.locator('body.ecf-admin').waitFor({ state: 'attached' });
    await rightClickSelected();
    await menuItem('ecf-action-server-halt').waitFor();
    await shot('context-menu-admin', undefined, { x: 0, y: 0, width: 760, height: 440 });
    await menuItem('ecf-action-server-checkpoint').click();
    const confirm = page.locator('dialog.ecf-confirm');
    await confirm.locator('.ecf-btn-danger').click();
    await confirm.waitFor({ state: 'detached' });
    await sleep(500);
    assert.equal(await page.locator('.ecf-messages .ecf-error').count(), 0, 'checkpoint succeeded');
    await go('local', '/ui/f/wait');
    await rightClickSelected();
    await menuItem('ecf-submenu-force').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('.ecf-admin-switch input').uncheck();
    assert.equal(await page.locator('body.ecf-admin').count(), 0);
  });

  test('Output falls back to the ecFlow server when the log server is down, and lists the failure', async () => {
    await logsvr.stop();
    await go('local', '/ui/f/hello', 'output');
    await page.locator('.ecf-panels-reload').click();
    const p = pane('output');
    await p.locator('.ecf-output-source', { hasText: 'ecflow server' }).waitFor();
    await p.locator('.ecf-output-attempts summary', { hasText: '1 earlier source failed' }).click();
    assert.match(await p.locator('.ecf-output-attempts li').first().innerText(), new RegExp(`log server .*${logsvr.port}`));
    await p.locator('.ecf-line', { hasText: 'UI-PANELS-MARKER' }).waitFor();
    await shot('panel-output-fallback', panels());
  });
});
