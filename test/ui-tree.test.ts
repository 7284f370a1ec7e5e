/**
 * The browser tree (web/), end to end in Debian's Chromium (playwright-core) against the test UI
 * server of ui-tree-harness.ts (dist/web over real HTTP + WebSocket, node tables from
 * src/server/node-table.ts): tree items by accessible name, expand/collapse, keyboard, a delta
 * changing a row within 2 s, a seq gap → resync, status filter, search, deep link after a reload,
 * the problems view, notifications, reconnect keeping the place, multi-selection. Screenshots of
 * the main views go to docs/screenshots/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { generateSuiteDefs } from '../src/model/generate-defs.js';
import { Flag, NState } from '../src/model/types.js';
import { parseDefs } from '../src/protocol/defs-parser.js';
import { CHROMIUM, repoPath, shotOnce, startTestUi, type TestUi } from './ui-tree-harness.js';

// Browser globals used inside page.evaluate/waitForFunction callbacks (this file is compiled for
// Node, without the DOM lib).
interface BrowserElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): { textContent: string | null } | null;
}
declare const document: {
  querySelectorAll(selector: string): ArrayLike<BrowserElement> & Iterable<BrowserElement>;
  querySelector(selector: string): BrowserElement | null;
};
declare const location: { hash: string; search: string };
declare const window: unknown;
declare const performance: { getEntriesByName(name: string): unknown[] };

let ui: TestUi;
let browser: Browser;

/**
 * Two servers: alpha (2 suites × 10 families × 20 tasks, attributes on every 5th task, a late and
 * a zombie task, a suspended family), beta (suite b0, families g0-g2 of 10 tasks).
 * Aborted tasks (generate-defs: every task whose number ≡ 27 mod 100): alpha /s0/f1/t7, /s0/f6/t7,
 * /s1/f1/t7, /s1/f6/t7; beta /b0/g2/t7.
 */
function alphaDefs() {
  const { defs } = parseDefs(generateSuiteDefs({ suites: 2, tasks: 400, familySize: 20, attrEvery: 5, withState: true }));
  defs.findNode('/s0/f2/t4')!.flags |= 1 << Flag.LATE;
  defs.findNode('/s1/f3/t9')!.flags |= 1 << Flag.ZOMBIE;
  defs.findNode('/s1/f4')!.suspended = true;
  return defs;
}

before(async () => {
  ui = await startTestUi([
    { name: 'alpha', defs: alphaDefs() },
    {
      name: 'beta',
      defs: parseDefs(
        generateSuiteDefs({ suites: 1, tasks: 30, familySize: 10, withState: true })
          .replace(/^suite s0/m, 'suite b0')
          .replace(/^family f/gm, 'family g'),
      ).defs,
      health: { state: 'reconnecting', message: 'route down', certificateValidTo: new Date(Date.now() + 3 * 3600_000).toISOString() },
    },
  ]);
  browser = await chromium.launch(CHROMIUM);
});

after(async () => {
  await browser?.close();
  await ui?.close();
});

/** A fresh context (own localStorage) with a stand-in Notification that records what is shown. */
async function open(hash = ''): Promise<{ page: Page; context: BrowserContext }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  await context.addInitScript(() => {
    const w = window as unknown as { __notes: Array<{ title: string; body?: string }>; Notification: unknown };
    w.__notes = [];
    class FakeNotification {
      static permission = 'granted';
      static requestPermission(): Promise<string> {
        return Promise.resolve('granted');
      }
      onclick: (() => void) | null = null;
      constructor(title: string, opts?: { body?: string }) {
        w.__notes.push({ title, ...(opts?.body !== undefined ? { body: opts.body } : {}) });
      }
      close(): void {}
    }
    w.Notification = FakeNotification;
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(ui.url + hash);
  // both servers synced (the snapshot measures) and painted
  await page.waitForFunction(() => performance.getEntriesByName('ecflow:snapshot').length >= 2);
  await page.locator('[role=treeitem]:not([hidden])').first().waitFor();
  return { page, context };
}

function item(page: Page, name: string): Locator {
  return page.getByRole('treeitem', { name, exact: true });
}

async function expand(page: Page, ...names: string[]): Promise<void> {
  for (const n of names) {
    const row = item(page, n).first();
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.twisty').click();
    await assert.doesNotReject(() => page.waitForFunction((name) => [...document.querySelectorAll('[role=treeitem]:not([hidden])')].some((r) => r.getAttribute('aria-label') === name && r.getAttribute('aria-expanded') === 'true'), n));
  }
}

/** Poll until `get()` deep-equals `want` (the tree renders on the next animation frame). */
async function eventually<T>(get: () => Promise<T>, want: T, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  let got = await get();
  while (JSON.stringify(got) !== JSON.stringify(want) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    got = await get();
  }
  assert.deepEqual(got, want);
}

async function stateText(row: Locator): Promise<string> {
  return (await row.locator('.state').textContent()) ?? '';
}

test('servers, suites and families are tree items with ARIA; expand and collapse by click', async () => {
  const { page, context } = await open();
  try {
    const tree = page.getByRole('tree');
    assert.equal(await tree.getAttribute('aria-multiselectable'), 'true');
    assert.equal(await item(page, 'alpha').getAttribute('aria-level'), '1');
    assert.equal(await item(page, 'alpha').getAttribute('aria-expanded'), 'true');
    assert.equal(await item(page, 'beta').getAttribute('aria-posinset'), '2');
    const s0 = item(page, 's0');
    assert.equal(await s0.getAttribute('aria-level'), '2');
    assert.equal(await s0.getAttribute('aria-setsize'), '2');
    assert.equal(await s0.getAttribute('aria-expanded'), 'false');
    assert.equal(await item(page, 'f0').count(), 0);
    await expand(page, 's0');
    assert.equal(await item(page, 'f0').count(), 1);
    assert.equal(await item(page, 'f9').getAttribute('aria-posinset'), '10');
    await expand(page, 'f1');
    const t7 = item(page, 't7');
    assert.equal(await t7.getAttribute('aria-level'), '4');
    assert.match(await stateText(t7), /^aborted/);
    assert.match(await stateText(item(page, 't8')), /^queued|^complete|^active|^submitted/);
    // collapse again
    await s0.locator('.twisty').click();
    await page.waitForFunction(() => ![...document.querySelectorAll('[role=treeitem]:not([hidden])')].some((r) => r.getAttribute('aria-label') === 'f0'));
    // a suspended family says so
    await expand(page, 's1');
    assert.equal(await stateText(item(page, 'f4')), 'suspended (active)');
    await item(page, 's1').locator('.twisty').click();
    // the server row collapses too
    await item(page, 'beta').locator('.twisty').click();
    await page.waitForFunction(() => document.querySelectorAll('[role=treeitem][aria-level="2"]:not([hidden])').length === 2);
  } finally {
    await context.close();
  }
});

test('keyboard: arrows, Right/Left expand and collapse, Home/End, attribute rows, Enter opens a panel', async () => {
  const { page, context } = await open();
  try {
    await item(page, 's0').click();
    await eventually(() => item(page, 's0').getAttribute('aria-selected'), 'true');
    await page.keyboard.press('ArrowRight'); // expand s0
    await item(page, 'f0').waitFor();
    await page.keyboard.press('ArrowDown'); // f0
    await eventually(() => item(page, 'f0').getAttribute('aria-selected'), 'true');
    await eventually(() => item(page, 's0').getAttribute('aria-selected'), 'false');
    await page.keyboard.press('ArrowRight'); // expand f0
    await page.keyboard.press('ArrowRight'); // to t0
    const t0 = item(page, 't0').first();
    await eventually(() => t0.getAttribute('aria-selected'), 'true');
    // t0 has a label, a meter and an event (every 5th task): Right shows them
    assert.equal(await t0.getAttribute('aria-expanded'), 'false');
    await page.keyboard.press('ArrowRight');
    const meter = page.getByRole('treeitem', { name: /^meter progress/ }).first();
    await meter.waitFor();
    assert.equal(await meter.getAttribute('aria-level'), '5');
    await page.getByRole('treeitem', { name: /^label info/ }).first().waitFor();
    await page.getByRole('treeitem', { name: /^event done/ }).first().waitFor();
    await page.keyboard.press('ArrowLeft'); // collapse t0
    await page.waitForFunction(() => ![...document.querySelectorAll('[role=treeitem]:not([hidden])')].some((r) => (r.getAttribute('aria-label') ?? '').startsWith('meter')));
    await page.keyboard.press('ArrowLeft'); // to f0
    await eventually(() => item(page, 'f0').getAttribute('aria-selected'), 'true');
    await page.keyboard.press('Home');
    await eventually(() => item(page, 'alpha').getAttribute('aria-selected'), 'true');
    await page.keyboard.press('End');
    const last = page.locator('[role=treeitem][aria-selected=true]:not([hidden])');
    assert.equal(await last.getAttribute('aria-label'), 'b0', 'beta has one suite b0: the last row');
    assert.equal(await last.getAttribute('aria-level'), '2');
    await page.keyboard.press('PageUp');
    assert.notEqual(await page.locator('[role=treeitem][aria-selected=true]:not([hidden])').getAttribute('aria-label'), 'b0');
    // the breadcrumbs follow the selection
    await page.keyboard.press('Home');
    await item(page, 'f0').click();
    assert.equal(await page.getByRole('navigation', { name: 'Breadcrumbs' }).locator('[aria-current]').textContent(), 'f0');
    // Enter asks the panels to open a panel: it lands in the URL
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.includes('panel='));
    assert.match(await page.evaluate(() => location.hash), /^#\/s\/alpha\/n\/s0\/f0\?panel=/);
  } finally {
    await context.close();
  }
});

test('a delta changes a row within 2 s; newly aborted → problems and a notification', async () => {
  const { page, context } = await open();
  try {
    await page.getByRole('checkbox', { name: 'Notify' }).check();
    await expand(page, 's0', 'f0');
    const t1 = item(page, 't1').first();
    assert.doesNotMatch(await stateText(t1), /^aborted/);
    const before = Number((await page.getByRole('tab', { name: /^Problems/ }).textContent())?.match(/\d+/)?.[0] ?? '0');
    const t0 = Date.now();
    ui.delta('alpha', [[ui.index('alpha', '/s0/f0/t1'), NState.ABORTED]]);
    await page.waitForFunction(() => {
      const row = [...document.querySelectorAll('[role=treeitem]:not([hidden])')].find((r) => r.getAttribute('aria-label') === 't1');
      return row?.querySelector('.state')?.textContent?.startsWith('aborted') === true;
    }, undefined, { timeout: 2000 });
    const ms = Date.now() - t0;
    assert.ok(ms < 2000, `${ms} ms`);
    await page.getByRole('tab', { name: `Problems (${before + 1})` }).waitFor();
    const notes = await page.evaluate(() => (window as unknown as { __notes: Array<{ title: string; body?: string }> }).__notes);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!.title, /aborted: t1/);
    assert.match(notes[0]!.body ?? '', /alpha \/s0\/f0\/t1/);
    // back to active: no new notification; problems shrink
    ui.delta('alpha', [[ui.index('alpha', '/s0/f0/t1'), NState.ACTIVE]]);
    await page.getByRole('tab', { name: before > 0 ? `Problems (${before})` : 'Problems' }).waitFor();
    assert.match(await stateText(t1), /^active/);
  } finally {
    await context.close();
  }
});

test('a seq gap makes the browser ask for a resync, and the new snapshot shows the change', async () => {
  const { page, context } = await open();
  try {
    await expand(page, 's0', 'f3');
    const idx = ui.index('alpha', '/s0/f3/t5');
    const resyncsBefore = ui.received.filter((m) => m.type === 'resync').length;
    ui.delta('alpha', [[idx, NState.SUBMITTED]], { skip: 2 });
    await page.waitForFunction(() => {
      const row = [...document.querySelectorAll('[role=treeitem]:not([hidden])')].find((r) => r.getAttribute('aria-label') === 't5');
      return row?.querySelector('.state')?.textContent?.startsWith('submitted') === true;
    }, undefined, { timeout: 5000 });
    assert.equal(ui.received.filter((m) => m.type === 'resync' && m.server === 'alpha').length, resyncsBefore + 1);
    // expansion survived the new snapshot (kept by path)
    assert.equal(await item(page, 'f3').getAttribute('aria-expanded'), 'true');
    // deltas after the resync apply normally
    ui.delta('alpha', [[idx, NState.COMPLETE]]);
    await page.waitForFunction(() => {
      const row = [...document.querySelectorAll('[role=treeitem]:not([hidden])')].find((r) => r.getAttribute('aria-label') === 't5');
      return row?.querySelector('.state')?.textContent?.startsWith('complete') === true;
    });
  } finally {
    await context.close();
  }
});

test('status filter: only aborted nodes and their ancestors', async () => {
  const { page, context } = await open();
  try {
    await page.getByRole('button', { name: /^Filter/ }).click();
    await page.getByRole('group', { name: 'Status filter' }).getByRole('checkbox', { name: 'aborted' }).check();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Expand all' }).click();
    // /s0/f1/t7, /s0/f6/t7, /s1/f1/t7, /s1/f6/t7 are the aborted tasks of alpha
    await page.waitForFunction(() => document.querySelectorAll('[role=treeitem][aria-label="t7"]:not([hidden])').length >= 2);
    const names = await page.locator('[role=treeitem]:not([hidden])').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label')));
    assert.ok(!names.includes('t0'), names.join(' '));
    assert.ok(names.includes('f1') && names.includes('f6'));
    assert.ok(!names.includes('f0'));
    for (const state of await page.locator('[role=treeitem][aria-level="4"]:not([hidden]) .state').allTextContents()) assert.match(state, /aborted/);
    await shotOnce(page, repoPath('docs/screenshots/tree-status-filter.png'));
    await page.getByRole('button', { name: /^Filter/ }).click();
    await page.getByRole('button', { name: 'Show all' }).click();
    await item(page, 'f0').first().waitFor();
  } finally {
    await context.close();
  }
});

test('search by wildcard, regex and state runs in the worker; a result selects the node', async () => {
  const { page, context } = await open();
  try {
    await page.getByRole('tab', { name: 'Search' }).click();
    const results = page.getByRole('list', { name: 'Search results' });
    await page.getByRole('searchbox', { name: 'Search text' }).fill('t1?');
    await page.getByRole('status').filter({ hasText: /results? — / }).waitFor();
    // t10..t19 in 10 families × 2 suites on alpha; beta families have 10 tasks (t0..t9)
    assert.match((await page.locator('.search-status').textContent()) ?? '', /^200 results/);
    await page.getByRole('combobox', { name: 'Match' }).selectOption('regex');
    await page.getByRole('searchbox', { name: 'Search text' }).fill('^/s1/f2/t1[2-3]$');
    await page.locator('.search-status').filter({ hasText: /^2 results/ }).waitFor();
    await results.getByRole('listitem', { name: 'alpha /s1/f2/t13' }).click();
    const t13 = item(page, 't13');
    await t13.waitFor();
    await eventually(() => t13.getAttribute('aria-selected'), 'true');
    assert.equal(await page.evaluate(() => location.hash), '#/s/alpha/n/s1/f2/t13');
    // state + kind: aborted tasks on every server
    await page.getByRole('searchbox', { name: 'Search text' }).fill('');
    await page.getByText('States, kinds, flags').click();
    await page.getByRole('group', { name: 'States' }).getByRole('checkbox', { name: 'aborted' }).check();
    await page.locator('.search-status').filter({ hasText: /^5 results — / }).waitFor();
    await page.getByText('States, kinds, flags').click(); // fold the options: room for the list
    await page.waitForFunction(() => document.querySelectorAll('.search-pane .vrow:not([hidden])').length === 5);
    const found = await results.getByRole('listitem').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label')));
    assert.deepEqual(found.sort(), ['alpha /s0/f1/t7', 'alpha /s0/f6/t7', 'alpha /s1/f1/t7', 'alpha /s1/f6/t7', 'beta /b0/g2/t7']);
    await page.getByText('States, kinds, flags').click();
    // a bad regular expression says so
    await page.getByRole('group', { name: 'States' }).getByRole('checkbox', { name: 'aborted' }).uncheck();
    await page.getByRole('searchbox', { name: 'Search text' }).fill('t[');
    await page.locator('.search-status').filter({ hasText: /^Bad pattern/ }).waitFor();
    await page.getByRole('searchbox', { name: 'Search text' }).fill('t1*');
    await page.getByRole('combobox', { name: 'Match' }).selectOption('wildcard');
    await page.locator('.search-status').filter({ hasText: /results? — / }).waitFor();
    await page.getByText('States, kinds, flags').click(); // fold the options for the picture
    await page.waitForFunction(() => document.querySelectorAll('.search-pane .vrow:not([hidden])').length > 3);
    await shotOnce(page, repoPath('docs/screenshots/search.png'));
  } finally {
    await context.close();
  }
});

test('deep link: the place opens after a reload and on a fresh visit without the hash', async () => {
  const { page, context } = await open('#/s/alpha/n/s1/f2/t3?panel=why');
  try {
    const t3 = item(page, 't3');
    await t3.waitFor();
    await eventually(() => t3.getAttribute('aria-selected'), 'true');
    assert.equal(await item(page, 'f2').getAttribute('aria-expanded'), 'true');
    assert.equal(await page.evaluate(() => new URLSearchParams(location.search).get('token')), null, 'the token left the address bar');
    await page.reload();
    await item(page, 't3').waitFor();
    await eventually(() => item(page, 't3').getAttribute('aria-selected'), 'true');
    assert.equal(await page.evaluate(() => location.hash), '#/s/alpha/n/s1/f2/t3?panel=why');
    // a fresh visit (the printed URL, no hash) reopens the last place
    const page2 = await context.newPage();
    await page2.goto(ui.url);
    await item(page2, 't3').waitFor();
    await eventually(() => item(page2, 't3').getAttribute('aria-selected'), 'true');
    // a pasted link navigates
    await page2.evaluate(() => {
      location.hash = '#/s/beta/n/b0/g2/t9';
    });
    await page2.waitForFunction(() => document.querySelector('[role=treeitem][aria-selected=true]:not([hidden])')?.getAttribute('aria-label') === 't9');
  } finally {
    await context.close();
  }
});

test('problems view lists aborted, late and zombie nodes of every server and jumps to them', async () => {
  const { page, context } = await open();
  try {
    await page.getByRole('tab', { name: /^Problems/ }).click();
    const list = page.getByRole('list', { name: 'Problems list' });
    const labels = async (): Promise<string[]> => (await list.getByRole('listitem').evaluateAll((r) => r.map((x) => x.getAttribute('aria-label') ?? ''))).sort();
    await eventually(labels, [
      'alpha /s0/f1/t7 aborted',
      'alpha /s0/f2/t4 late',
      'alpha /s0/f6/t7 aborted',
      'alpha /s1/f1/t7 aborted',
      'alpha /s1/f3/t9 zombie',
      'alpha /s1/f6/t7 aborted',
      'beta /b0/g2/t7 aborted',
    ]);
    // sort by path
    await page.getByRole('toolbar', { name: 'Sort problems' }).getByRole('button', { name: 'Path' }).click();
    const paths = async (): Promise<string[]> => list.getByRole('listitem').evaluateAll((r) => r.map((x) => (x.getAttribute('aria-label') ?? '').split(' ')[1] ?? ''));
    await eventually(paths, ['/b0/g2/t7', '/s0/f1/t7', '/s0/f2/t4', '/s0/f6/t7', '/s1/f1/t7', '/s1/f3/t9', '/s1/f6/t7']);
    await list.getByRole('listitem', { name: 'alpha /s1/f3/t9 zombie' }).click();
    await eventually(() => item(page, 't9').getAttribute('aria-selected'), 'true');
    const flags = await item(page, 't9').locator('.flag').evaluateAll((f) => f.map((x) => x.getAttribute('title')));
    assert.deepEqual(flags, ['zombie']);
    await shotOnce(page, repoPath('docs/screenshots/problems.png'));
  } finally {
    await context.close();
  }
});

test('multi-selection with Ctrl and Shift; the selection survives a lost connection', async () => {
  const { page, context } = await open();
  try {
    await expand(page, 's0', 'f0');
    await item(page, 't2').click();
    await item(page, 't4').click({ modifiers: ['Control'] });
    const selected = async (): Promise<string[]> => page.locator('[role=treeitem][aria-selected=true]:not([hidden])').evaluateAll((r) => r.map((x) => x.getAttribute('aria-label') ?? ''));
    await eventually(selected, ['t2', 't4']);
    await item(page, 't6').click({ modifiers: ['Shift'] });
    await eventually(selected, ['t4', 't5', 't6']);
    // lose the socket: the header says so, the worker reconnects, the place is kept
    ui.dropSockets();
    await page.getByRole('status').filter({ hasText: /Disconnected|Reconnecting|Connecting/ }).first().waitFor();
    await page.locator('.link-state.open').waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('[role=treeitem][aria-selected=true]:not([hidden])').length === 3);
    await eventually(selected, ['t4', 't5', 't6']);
    assert.equal(await item(page, 'f0').getAttribute('aria-expanded'), 'true');
  } finally {
    await context.close();
  }
});

test('main view screenshot: servers with health, suspended family, attributes, flags', async () => {
  mkdirSync(repoPath('docs/screenshots'), { recursive: true });
  const { page, context } = await open('#/s/alpha/n/s1/f3/t0');
  try {
    await item(page, 't0').waitFor();
    await item(page, 't0').click();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('treeitem', { name: /^meter progress/ }).waitFor();
    assert.deepEqual(await item(page, 't9').locator('.flag').evaluateAll((f) => f.map((x) => x.getAttribute('title'))), ['zombie']);
    assert.equal(await page.locator('.server-badge').filter({ hasText: 'beta' }).locator('.state').textContent(), 'reconnecting');
    assert.match((await page.locator('.server-badge').filter({ hasText: 'beta' }).locator('.cert').textContent()) ?? '', /^cert [23]h/);
    await shotOnce(page, repoPath('docs/screenshots/tree.png'));
  } finally {
    await context.close();
  }
});
