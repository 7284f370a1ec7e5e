/**
 * ecflow_ui's own server list, `<config dir>/servers.txt`, as ecflow_ui 5.9.2 reads it
 * (ServerList::load / ServerList::save at tag 5.9.2; checked against the installed 5.9.2):
 *
 * ```
 * #Name Host Port Favourite System Ssl user        <- the header 5.9.2 writes; any '#' line is a comment
 * op,localhost,41873,1,0,0,ecuser                  <- split on ',', nothing trimmed
 * ```
 *
 * - columns 1-3 are required; the port must parse as an int, a bad line makes ecflow_ui show a
 *   dialog and exit(1); names must be unique.
 * - Favourite, System, Ssl: `1` is true, anything else false. We always write System `0`: a system
 *   server is re-synchronised from the system list files at start-up.
 * - user: a *custom* user (ecflow_ui calls ClientInvoker::set_user_name): every request goes with
 *   `cu_` and needs a password in ECF_CUSTOM_PASSWD (looked up as `<user> <host> <port>`).
 * - 5.14+ reads column 6 as the protocol (0 TCP, 1 SSL, 2 HTTP, 3 HTTPS): 0/1 keep their meaning.
 *
 * Lines of servers the user added in ecflow_ui are kept by {@link mergeServersTxt}.
 */

import { EcflowError, ErrorCode } from '../errors.js';

/** One line of servers.txt. */
export interface UiServerEntry {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly favourite: boolean;
  readonly ssl: boolean;
  /** Custom user (column 7); absent: the login name. */
  readonly user?: string;
}

/** The header ecflow_ui 5.9.2 writes. */
export const SERVERS_TXT_HEADER = '#Name Host Port Favourite System Ssl user';

/**
 * Throws INVALID_ARGUMENT when ecflow_ui could not read the entry back as written (ServerListDialog's
 * rules: no comma anywhere, no white space in host and user, name without leading/trailing space).
 */
export function checkUiServerEntry(e: UiServerEntry): void {
  const bad = (what: string) => new EcflowError(ErrorCode.INVALID_ARGUMENT, `server '${e.name}' cannot go into ecflow_ui's servers.txt: ${what}`);
  if (e.name === '' || /[,\n\r\t]/.test(e.name) || e.name.trim() !== e.name) throw bad('the name must be non-empty, without commas, tabs or outer spaces');
  if (e.host === '' || /[\s,]/.test(e.host)) throw bad(`host '${e.host}' must be non-empty, without white space or commas`);
  if (!Number.isInteger(e.port) || e.port < 1 || e.port > 65535) throw bad(`port ${e.port} is not a TCP port`);
  if (e.user !== undefined && (e.user === '' || /[\s,]/.test(e.user))) throw bad(`custom user '${e.user}' must be non-empty, without white space or commas`);
}

/** One servers.txt line (without the newline). */
export function formatServerLine(e: UiServerEntry): string {
  checkUiServerEntry(e);
  return [e.name, e.host, String(e.port), e.favourite ? '1' : '0', '0', e.ssl ? '1' : '0', e.user ?? ''].join(',');
}

/** The server name of a servers.txt line, or undefined for comments and lines ecflow_ui skips. */
export function serverLineName(line: string): string | undefined {
  if (line.trimStart().startsWith('#')) return undefined;
  const fields = line.split(',');
  return fields.length >= 3 ? fields[0] : undefined;
}

/**
 * A new servers.txt: our entries first, then the lines of `previous` whose server is neither ours
 * now nor was ours before (`ownedBefore`): servers the user added in ecflow_ui.
 *
 * @example
 * mergeServersTxt([{ name: 'op', host: 'localhost', port: 41873, favourite: true, ssl: false }], 'x,h,1\n', [])
 * // '#Name Host Port Favourite System Ssl user\nop,localhost,41873,1,0,0,\nx,h,1\n'
 */
export function mergeServersTxt(entries: readonly UiServerEntry[], previous: string | undefined, ownedBefore: readonly string[]): string {
  const ours = new Set(entries.map((e) => e.name));
  if (ours.size !== entries.length) throw new EcflowError(ErrorCode.BUG, 'duplicate server names for servers.txt');
  const dropped = new Set([...ours, ...ownedBefore]);
  const kept = (previous ?? '')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => {
      const name = serverLineName(l);
      return name !== undefined && !dropped.has(name);
    });
  return [SERVERS_TXT_HEADER, ...entries.map(formatServerLine), ...kept].join('\n') + '\n';
}
