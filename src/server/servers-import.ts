/**
 * ecflow_ui's server list, `~/.ecflow_ui_v5/servers.txt` (ecflow-ui-reference.md §1.1):
 *
 *   # Name, Host, Port, Favourite, System, Protocol, User
 *   local_test,localhost,4251,1,0,0,
 *
 * Comma-separated, `#` comments, fields from the fourth on optional; column 6 is the SSL flag (≤5.13)
 * or the protocol (5.14+: 0 TCP, 1 SSL, 2 HTTP, 3 HTTPS — HTTP ones are not supported here).
 * The legacy ecflowview list (`name host port`, blank separated) is read too. Names that do not fit
 * our config (spaces, other characters) are made to fit: every other character becomes `_`.
 */

import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { NAME_PATTERN } from '../config/config.js';

export interface ImportedServer {
  readonly line: number;
  readonly name: string;
  /** The name as written in the file, when it had to be changed. */
  readonly originalName?: string;
  readonly host: string;
  readonly port: number;
  readonly favourite: boolean;
  readonly ssl: boolean;
  readonly customUser?: string;
}

export interface ServersTxt {
  readonly servers: readonly ImportedServer[];
  readonly skipped: readonly { readonly line: number; readonly name?: string; readonly reason: string }[];
}

/** Where ecflow_ui keeps its list (ECFLOWUI_CONFIG_DIR wins, like ecflow_ui). */
export function defaultServersTxtPath(env: Readonly<Record<string, string | undefined>> = process.env, home = homedir()): string {
  const dir = env['ECFLOWUI_CONFIG_DIR'];
  return join(dir !== undefined && dir !== '' ? dir : join(home, '.ecflow_ui_v5'), 'servers.txt');
}

/**
 * Parse a servers.txt text.
 *
 * @example
 * parseServersTxt('op,machine1,4141,1,0,1,ops\n').servers
 * // [{ line: 1, name: 'op', host: 'machine1', port: 4141, favourite: true, ssl: true, customUser: 'ops' }]
 */
export function parseServersTxt(text: string): ServersTxt {
  const servers: ImportedServer[] = [];
  const skipped: { line: number; name?: string; reason: string }[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.includes(',') ? trimmed.split(',').map((f) => f.trim()) : trimmed.split(/\s+/);
    const [rawName = '', host = '', portText = '', fav = '', , protocol = '', user = ''] = fields;
    if (rawName === '' || host === '' || portText === '') {
      skipped.push({ line, ...(rawName === '' ? {} : { name: rawName }), reason: 'needs at least name, host and port' });
      return;
    }
    const name = fitName(rawName);
    if (name === undefined) {
      skipped.push({ line, name: rawName, reason: `the name '${rawName}' cannot be made a config name` });
      return;
    }
    if (/\s/.test(host)) {
      skipped.push({ line, name: rawName, reason: `host '${host}' contains white space` });
      return;
    }
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
      skipped.push({ line, name: rawName, reason: `port '${portText}' is not a number from 1 to 65535` });
      return;
    }
    if (protocol === '2' || protocol === '3') {
      skipped.push({ line, name: rawName, reason: 'HTTP/HTTPS servers (protocol 2/3) are not supported: only TCP and SSL' });
      return;
    }
    if (user !== '' && /[\s,]/.test(user)) {
      skipped.push({ line, name: rawName, reason: `custom user '${user}' contains white space or commas` });
      return;
    }
    servers.push({
      line,
      name,
      ...(name === rawName ? {} : { originalName: rawName }),
      host,
      port,
      favourite: fav === '1' || fav.toLowerCase() === 'true',
      ssl: protocol === '1',
      ...(user === '' ? {} : { customUser: user }),
    });
  });
  return { servers, skipped };
}

/** Read and parse a servers.txt file. */
export async function readServersTxt(path: string): Promise<ServersTxt> {
  return parseServersTxt(await readFile(path, 'utf8'));
}

function fitName(name: string): string | undefined {
  if (NAME_PATTERN.test(name)) return name;
  const fitted = name
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64);
  return NAME_PATTERN.test(fitted) ? fitted : undefined;
}
