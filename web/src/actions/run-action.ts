/**
 * Running actions: the selection as action targets (state from the shell's node table), the
 * confirmation or form an item asks for, one request per server with all its paths, and the
 * outcome in the message area (the server's refusal verbatim).
 */

import type { UiAction, UiActionArgs } from '../../../src/server/ui-protocol.js';
import { isReadOnly, isServerPath, panelKind, type PanelApp, type SelectedNode } from '../panels/host.js';
import { confirmDialog } from '../dialogs/dialog.js';
import { labelForm } from '../dialogs/label-form.js';
import { attributeArgs, commandText, type ActionItem, type ActionTarget } from './action-table.js';
import { isAdminMode } from './admin-mode.js';
import { showError } from './messages.js';
import { ask } from '../panels/tab-util.js';

/** The selected rows as action targets (state and flags from the tree, now). */
export function actionTargets(app: PanelApp, sel: readonly SelectedNode[]): ActionTarget[] {
  return sel.map((s) => {
    const server = isServerPath(s.path);
    const info = app.nodeInfo(s.server, server ? '/' : s.path);
    // The server row: its own state (RUNNING, HALTED, SHUTDOWN) decides Restart/Halt/Shutdown.
    const state = server ? (info?.serverInfo?.state.toLowerCase() ?? 'unknown') : (info?.state ?? 'unknown');
    const t: ActionTarget = {
      server: s.server,
      path: server ? '' : s.path,
      kind: panelKind(s, app),
      state,
      suspended: info?.suspended === true,
      flags: info?.flagNames ?? [],
      ...(s.attribute !== undefined ? { attribute: s.attribute } : {}),
    };
    return t;
  });
}

/** True when any selected server hides write actions. */
export function anyReadOnly(app: PanelApp, targets: readonly ActionTarget[]): boolean {
  return targets.some((t) => isReadOnly(app, t.server));
}

function describePaths(targets: readonly ActionTarget[]): string[] {
  return targets.map((t) => (t.path === '' ? `server ${t.server}` : `${t.server}:${t.path}${t.attribute !== undefined ? ` (${t.attribute.kind})` : ''}`));
}

/** Send one action for all the targets, grouped by server. True when every request succeeded. */
export async function sendAction(
  app: PanelApp,
  action: UiAction,
  targets: ReadonlyArray<{ readonly server: string; readonly path: string }>,
  args: UiActionArgs | undefined,
  label: string,
): Promise<boolean> {
  const byServer = new Map<string, string[]>();
  for (const t of targets) {
    const list = byServer.get(t.server) ?? [];
    list.push(t.path === '' ? '/' : t.path);
    byServer.set(t.server, list);
  }
  let ok = true;
  for (const [server, paths] of byServer) {
    try {
      const r = await ask(app, { what: 'action', server, action, paths, ...(args !== undefined ? { args } : {}) });
      const commands = r.commands.join(' ');
      app.status(`${label}: ${paths.length === 1 ? paths[0] : `${paths.length} nodes`} on ${server}${commands !== '' ? ` (${commands})` : ''}`);
    } catch (e) {
      ok = false;
      showError(e, `${label} failed on ${server} (${paths.join(' ')})`);
    }
  }
  return ok;
}

/** Run a menu item for the targets: confirm / form first when the item asks for it. */
export async function runItem(app: PanelApp, item: ActionItem, targets: readonly ActionTarget[]): Promise<boolean> {
  if (targets.length === 0 || anyReadOnly(app, targets)) return false;
  const paths = targets.map((t) => (t.path === '' ? '/' : t.path));
  if (item.confirm !== undefined) {
    const names = describePaths(targets);
    const question = item.confirm.question
      .replace('<full_name>', targets.length === 1 ? (names[0] ?? '') : `these ${targets.length} nodes`)
      .replace('<server>', targets[0]?.server ?? '');
    const ok = await confirmDialog({
      title: item.label.replace('…', ''),
      question,
      ...(item.confirm.warning !== undefined ? { warning: item.confirm.warning } : {}),
      items: targets.length > 1 ? names : [],
      command: commandText(item, paths),
      confirmLabel: item.label.replace('…', ''),
    });
    if (!ok) return false;
  }
  let args = targets[0] !== undefined ? attributeArgs(item, targets[0]) : item.args;
  if (item.form === 'label') {
    const label = await labelForm(describePaths(targets));
    if (label === undefined) return false;
    args = { name: label.name, value: label.value };
  }
  // Admin-only items (force, order, server actions) tell the local server the UI is in admin mode.
  if (item.admin === true) args = { ...args, admin: isAdminMode() };
  // Attribute actions name one attribute: send one request per distinct attribute.
  if (targets.some((t) => t.attribute !== undefined) && targets.length > 1) {
    let all = true;
    for (const t of targets) all = (await sendAction(app, item.action, [t], attributeArgs(item, t), item.label)) && all;
    return all;
  }
  return sendAction(app, item.action, targets, args, item.label.replace('…', ''));
}
