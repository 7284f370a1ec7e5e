/**
 * Writes the prepared plans into ecflow_ui's config directory (servers.txt, per-server settings, a
 * first session) and the per-run private folder (passwd files). All files 0600, written atomically.
 * See config-dir.ts for the two folders and servers-txt.ts / settings-json.ts for the formats.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../config/atomic-write.js';
import { readText, readUiDirState, STATE_FILE, type UiDirState } from './config-dir.js';
import { formatPasswdFile, type PasswdLine } from './passwd-files.js';
import type { ServerPlan } from './plan.js';
import { mergeServersTxt } from './servers-txt.js';
import { firstSessionJson, LOG_SERVER_HOST_KEY, LOG_SERVER_PORT_KEY, mergeSettings, SOCKS_PORT_KEY } from './settings-json.js';

export interface WrittenUiFiles {
  readonly serversTxt: string;
  readonly sessionDir: string;
  /** Per-server settings files we changed, by server name. */
  readonly serverConf: Readonly<Record<string, string>>;
  readonly sessionJsonCreated: boolean;
}

/** servers.txt, `<session>.session/<server>.conf.json`, session.json (first run), settings.json (proxychains). */
export async function writeUiConfig(
  dir: string,
  session: string,
  plans: readonly ServerPlan[],
  options: { readonly socksPort?: number; readonly note: (line: string) => void },
): Promise<WrittenUiFiles> {
  const before = readUiDirState(dir);
  const serversTxt = join(dir, 'servers.txt');
  await writeFileAtomic(serversTxt, mergeServersTxt(plans.map((p) => p.entry), readText(serversTxt), before.servers));

  const sessionDir = join(dir, `${session}.session`);
  const serverConf: Record<string, string> = {};
  const withLogServer: string[] = [];
  for (const p of plans) {
    const file = join(sessionDir, `${p.server.name}.conf.json`);
    const ours = before.logServerSettings.includes(p.server.name);
    if (p.logServer === undefined && !ours) continue; // leave a log server the user set in ecflow_ui alone
    const changes =
      p.logServer === undefined
        ? { [LOG_SERVER_HOST_KEY]: undefined, [LOG_SERVER_PORT_KEY]: undefined }
        : { [LOG_SERVER_HOST_KEY]: p.logServer.host, [LOG_SERVER_PORT_KEY]: String(p.logServer.port) };
    const merged = mergeSettings(readText(file), changes);
    if (merged.replaced) options.note(`warning: ${file} was not valid JSON; it is replaced`);
    await writeFileAtomic(file, merged.text);
    serverConf[p.server.name] = file;
    if (p.logServer !== undefined) withLogServer.push(p.server.name);
  }

  const sessionJson = join(sessionDir, 'session.json');
  const sessionJsonCreated = !existsSync(sessionJson);
  if (sessionJsonCreated) await writeFileAtomic(sessionJson, firstSessionJson(plans.map((p) => p.server.name)));

  if (options.socksPort !== undefined) {
    const settings = join(sessionDir, 'settings.json');
    await writeFileAtomic(settings, mergeSettings(readText(settings), { [SOCKS_PORT_KEY]: String(options.socksPort) }).text);
  }

  const state: UiDirState = { servers: plans.map((p) => p.server.name), logServerSettings: withLogServer };
  await writeFileAtomic(join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  return { serversTxt, sessionDir, serverConf, sessionJsonCreated };
}

/** ECF_CUSTOM_PASSWD / ECF_PASSWD files in the run folder; only those with lines. */
export async function writePasswdFiles(runDir: string, plans: readonly ServerPlan[]): Promise<{ custom?: string; login?: string }> {
  const custom = plans.flatMap((p) => (p.customPasswd ? [p.customPasswd] : []));
  const login = plans.flatMap((p) => (p.loginPasswd ? [p.loginPasswd] : []));
  const out: { custom?: string; login?: string } = {};
  if (custom.length > 0) out.custom = await writePasswd(join(runDir, 'custom_passwd'), custom, 'ECF_CUSTOM_PASSWD for ecflow_ui (custom users)');
  if (login.length > 0) out.login = await writePasswd(join(runDir, 'passwd'), login, 'ECF_PASSWD for ecflow_ui (login user)');
  return out;
}

async function writePasswd(file: string, lines: readonly PasswdLine[], comment: string): Promise<string> {
  await writeFileAtomic(file, formatPasswdFile(dedupe(lines), `${comment}; written by ecflow-remote, removed when ecflow_ui exits`), 0o600);
  return file;
}

function dedupe(lines: readonly PasswdLine[]): PasswdLine[] {
  const seen = new Set<string>();
  return lines.filter((l) => {
    const key = `${l.user} ${l.host} ${l.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
