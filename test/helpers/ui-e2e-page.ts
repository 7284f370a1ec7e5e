/**
 * Page helpers for the end-to-end browser tests (test/ui-demo.test.ts, test/ui-centre-e2e.test.ts),
 * which drive the real `ecflow-remote demo` / `up` command with Playwright: tree rows by their
 * accessible name (role=treeitem, aria-label = node name, `.state` = state text), expanding,
 * the Problems tab, the Output panel, the context menu and polling helpers.
 *
 * @example
 *   await expandRow(page, 'demo', 2);
 *   await problem(page, 'demo /demo/checks/quality aborted').click();
 *   await openPanel(page, 'output');
 */
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A tree row by node name (and level: 1 server, 2 suite, …), only rows on screen. */
export function row(page: Page, name: string, level?: number): Locator {
  return page.locator(`[role=treeitem][aria-label="${name}"]${level === undefined ? '' : `[aria-level="${level}"]`}:not([hidden])`).first();
}

/** The state text of a row ('active', 'suspended (queued)', …). */
export async function rowState(page: Page, name: string, level?: number): Promise<string> {
  return ((await row(page, name, level).locator('.state').textContent({ timeout: 5000 })) ?? '').trim();
}

/** Expands a row (click on its twisty) unless it is expanded already. */
export async function expandRow(page: Page, name: string, level?: number): Promise<void> {
  const r = row(page, name, level);
  await r.waitFor();
  if ((await r.getAttribute('aria-expanded')) !== 'true') await r.locator('.twisty').click();
  await page.locator(`[role=treeitem][aria-label="${name}"]${level === undefined ? '' : `[aria-level="${level}"]`}[aria-expanded="true"]:not([hidden])`).first().waitFor();
}

/** Waits until the state text of the selected row matches `re`; returns it. */
export async function waitSelectedState(page: Page, re: RegExp, ms = 30_000): Promise<string> {
  const deadline = Date.now() + ms;
  let last = '';
  for (;;) {
    last = ((await page.locator('.row.selected .state').first().textContent({ timeout: 5000 }).catch(() => last)) ?? '').trim();
    if (re.test(last)) return last;
    assert.ok(Date.now() < deadline, `the selected row: state '${last}' never matched ${re} within ${ms} ms`);
    await sleep(200);
  }
}

/** The header badge of a server: its state text ('connected', 'reconnecting', …). */
export function serverBadge(page: Page, server: string): Locator {
  return page.locator('.server-badge', { has: page.locator('.name', { hasText: new RegExp(`^${server}$`) }) });
}

/** An entry of the Problems list by its accessible name ('<server> <path> <reason>'); opens the tab. */
export async function problem(page: Page, label: string): Promise<Locator> {
  const tab = page.getByRole('tab', { name: /^Problems/ });
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
  const item = page.getByRole('list', { name: 'Problems list' }).getByRole('listitem', { name: label, exact: true });
  await item.waitFor();
  return item;
}

/** Opens a panel tab of the Info panels ('output', 'variables', …). */
export async function openPanel(page: Page, name: string): Promise<Locator> {
  await page.locator(`.ecf-tab[data-panel="${name}"]`).click();
  const p = page.locator(`.ecf-pane-${name}:not([hidden])`);
  await p.waitFor();
  return p;
}

/** Right-click on the selected row and click a context-menu item (class `ecf-action-<action>`). */
export async function contextAction(page: Page, action: string, confirm = false): Promise<void> {
  await page.keyboard.press('Escape');
  await page.locator('.row.selected').first().click({ button: 'right' });
  await page.locator('.ecf-menu').first().waitFor();
  await page.locator(`.ecf-menu .ecf-action-${action}`).click();
  if (confirm) {
    const dialog = page.locator('dialog.ecf-confirm');
    await dialog.locator('.ecf-btn-danger').click();
    await dialog.waitFor({ state: 'detached' });
  }
}

/** Fails with the page's error messages (a refused action) if any are shown. */
export async function assertNoErrors(page: Page, what: string): Promise<void> {
  const errors = await page.locator('.ecf-messages .ecf-error').allInnerTexts();
  assert.deepEqual(errors, [], `${what}: the UI shows errors`);
}
