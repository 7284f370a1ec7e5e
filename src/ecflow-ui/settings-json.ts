/**
 * ecflow_ui's settings files: JSON written and read by boost::property_tree (VConfig::saveSettings /
 * loadSettings at tag 5.9.2). A property path `server.files.logServerHost` is a chain of nested
 * objects, and every value is a string:
 *
 * ```json
 * { "server": { "files": { "logServerHost": "127.0.0.1", "logServerPort": "41877" } } }
 * ```
 *
 * Per-server settings live in `<config dir>/<session>.session/<server>.conf.json` (SessionItem::
 * serverFile); a key present there is "not linked to the global value" (the Settings tab shows it
 * without "Use global"). Global preferences live in `<session>.session/settings.json`.
 * Verified by running ecflow_ui 5.9.2 under Xvfb: the Settings tab of the server shows the custom
 * log server host and port from such a file.
 */

export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** The per-server keys of the custom log server ("takes precedence over ECF_LOGHOST/ECF_LOGPORT"). */
export const LOG_SERVER_HOST_KEY = 'server.files.logServerHost';
export const LOG_SERVER_PORT_KEY = 'server.files.logServerPort';
/** Global preference: the SOCKS port ecflow_ui's file transfer uses under proxychains. */
export const SOCKS_PORT_KEY = 'network.socks.port';

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `previous` (a settings file's text, or undefined) with `changes` applied: a string sets the
 * property, undefined removes it (and parents left empty). Other properties are kept. Text that is
 * not a JSON object is replaced (`replaced: true`).
 *
 * @example
 * mergeSettings('{"server":{"update":{"updateRateInSec":"30"}}}', { 'server.files.logServerPort': '41877' }).text
 * // {"server":{"update":{"updateRateInSec":"30"},"files":{"logServerPort":"41877"}}} (indented)
 */
export function mergeSettings(previous: string | undefined, changes: Readonly<Record<string, string | undefined>>): { text: string; replaced: boolean } {
  let root: JsonObject = {};
  let replaced = false;
  if (previous !== undefined && previous.trim() !== '') {
    try {
      const parsed = JSON.parse(previous) as JsonValue;
      if (isObject(parsed)) root = parsed;
      else replaced = true;
    } catch {
      replaced = true;
    }
  }
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.');
    if (value === undefined) removePath(root, keys);
    else setPath(root, keys, value);
  }
  return { text: `${JSON.stringify(root, null, 4)}\n`, replaced };
}

function setPath(root: JsonObject, keys: readonly string[], value: string): void {
  let node = root;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (isObject(next)) node = next;
    else {
      const created: JsonObject = {};
      node[key] = created;
      node = created;
    }
  }
  node[keys[keys.length - 1]!] = value;
}

function removePath(node: JsonObject, keys: readonly string[]): void {
  const [key, ...rest] = keys;
  if (key === undefined || !(key in node)) return;
  if (rest.length === 0) {
    delete node[key];
    return;
  }
  const child = node[key];
  if (!isObject(child)) return;
  removePath(child, rest);
  if (Object.keys(child).length === 0) delete node[key];
}

/** The property at `path` (a dotted path) as a string, or undefined. */
export function settingAt(text: string, path: string): string | undefined {
  let node: JsonValue | undefined;
  try {
    node = JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
  for (const key of path.split('.')) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return typeof node === 'string' ? node : undefined;
}

/**
 * A first `session.json` for a session: one window, one tab with `servers` loaded, a tree (all node
 * states and icons shown, default attributes) and an info panel (MainWindow::init reads it; without
 * one, ecflow_ui starts with an empty window).
 */
export function firstSessionJson(servers: readonly string[]): string {
  const session = {
    windowCount: '1',
    topWindowId: '0',
    window_0: {
      infoPanelCount: '1',
      tabCount: '1',
      currentTabId: '0',
      tab_0: {
        server: [...servers],
        widgetCount: '2',
        // Without "states" the tree's state filter is empty and hides every node (VParamSet::readSettings).
        widget_0: { type: 'tree', dockId: 'dock_0', states: ['_ALL_'], icons: ['_ALL_'] },
        widget_1: { type: 'info', dockId: 'dock_1' },
      },
    },
  };
  return `${JSON.stringify(session, null, 4)}\n`;
}
