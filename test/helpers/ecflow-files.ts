/**
 * Contents of ecFlow's access-control files for tests: placeholders, version lines and the
 * host/port rule (shared/ecflow-protocol.md §12).
 *
 * - White list (ECF_LISTS): first meaningful line must be a version, >= 4.4.5 (we add `4.4.14`).
 * - Password files (ECF_PASSWD, ECF_CUSTOM_PASSWD, server and client side): first meaningful line
 *   must be a version >= 4.5.0; note that 4.5.x with x > 0 is rejected by the 5.9.2 parser, so we
 *   add `4.5.0`. Lines are `<user> <host> <port> <password>`.
 * - ecflow_server 5.9.2 refuses to start if a password file exists but has no line whose host and
 *   port are exactly its own: the host is gethostname() (= Node's os.hostname(), e.g. `vm`), never
 *   `localhost` (verified: "Error: password file … does not contain any users, which match the host
 *   and port of this server" / "Error: custom password file …"). Both files are checked.
 *
 * Callers write `{{HOST}}` and `{{PORT}}`; {@link fillPlaceholders} substitutes them.
 */
import { hostname } from 'node:os';

/** Version line added to a white list that has none. */
export const WHITE_LIST_VERSION = '4.4.14';
/** Version line added to a password file that has none. */
export const PASSWD_VERSION = '4.5.0';

/** Replaces `{{HOST}}` (the machine's host name as ecflow_server sees it) and `{{PORT}}`. */
export function fillPlaceholders(text: string, port: number, host = hostname()): string {
  return text.replaceAll('{{HOST}}', host).replaceAll('{{PORT}}', String(port));
}

/** The meaningful lines of an ecFlow config file: comments (`#…`) stripped, trimmed, non-empty. */
export function meaningfulLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => {
      const hash = l.indexOf('#');
      return (hash >= 0 ? l.slice(0, hash) : l).trim();
    })
    .filter((l) => l !== '');
}

/** Prepends `version` unless the first meaningful line already is an `<int>.<int>.<int>` version. */
export function withVersionLine(text: string, version: string): string {
  const first = meaningfulLines(text)[0];
  if (first !== undefined && /^\d+\.\d+\.\d+$/.test(first.split(/\s+/)[0] ?? '')) return ensureNewline(text);
  return `${version}\n${ensureNewline(text)}`;
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') || text === '' ? text : `${text}\n`;
}

export interface PasswdEntry {
  user: string;
  host: string;
  port: string;
  password: string;
}

/** Parses `<user> <host> <port> <password>` lines (the version line is skipped). */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of meaningfulLines(text)) {
    const t = line.split(/\s+/);
    if (t.length < 4) continue; // version line or junk
    out.push({ user: t[0] ?? '', host: t[1] ?? '', port: t[2] ?? '', password: t[3] ?? '' });
  }
  return out;
}

/**
 * Throws a clear error if the server would refuse to start with this password file content,
 * i.e. if no line names exactly `host` and `port`.
 */
export function assertPasswdUsable(kind: string, text: string, port: number, host = hostname()): void {
  const entries = parsePasswd(text);
  if (entries.some((e) => e.host === host && e.port === String(port))) return;
  throw new Error(
    `${kind}: ecflow_server refuses to start unless the file has at least one line for its own host ` +
      `'${host}' (gethostname(), not 'localhost') and port ${port}; write e.g. ` +
      `"someuser {{HOST}} {{PORT}} secret". Content was:\n${text}`,
  );
}
