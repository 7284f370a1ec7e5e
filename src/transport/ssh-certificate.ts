/**
 * OpenSSH user certificates (e.g. Teleport's 12-hour `tsh login` certificates): where the route's
 * certificate is, and how long it is valid (connectivity-notes.md §1.6, §2.1, §5.2).
 *
 * OpenSSH never tells the client that its certificate expired (only `Permission denied
 * (publickey)`), so the supervisor reads the validity itself, with `ssh-keygen -L`, whose `Valid:`
 * line is one of (local time, no zone):
 *   `Valid: forever` · `Valid: from 2026-11-26T07:11:00 to 2026-11-26T07:14:10`
 *   `Valid: after 2026-11-26T08:18:03` (no end) · `Valid: before 2026-11-26T10:18:03` (no start)
 *
 * Where it looks, in order: the route's own `certificateFile`; `ssh -G` of the destination
 * (`certificatefile`, then `<identityfile>-cert.pub` that exist); the same for each jump hop; the
 * agent (`ssh-add -L` lines of type `*-cert-v01@openssh.com`, unless `IdentityAgent none`);
 * Teleport's `~/.tsh/keys/<proxy>/<user>-ssh/<cluster>-cert.pub` (or under $TELEPORT_HOME).
 */

import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SshResolvedConfig } from './ssh-command.js';
import { runProgram } from './ssh-process.js';

/** What `ssh-keygen -L` says about one certificate. */
export interface ParsedCertificate {
  /** e.g. `ssh-ed25519-cert-v01@openssh.com user certificate`. */
  readonly type: string;
  readonly keyId: string | undefined;
  readonly principals: readonly string[];
  /** Start of validity; null = no start (`forever` / `before …`). */
  readonly validFrom: Date | null;
  /** End of validity; null = no end (`forever` / `after …`). */
  readonly validTo: Date | null;
}

/** `2026-11-26T07:11:00` as local time. */
export function parseLocalTimestamp(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * The `Valid:` value of `ssh-keygen -L`. Returns undefined when the text is not understood.
 *
 * @example
 * parseValidity('forever')                                   // { validFrom: null, validTo: null }
 * parseValidity('from 2026-11-26T07:11:00 to 2026-11-26T07:14:10').validTo // Date (local time)
 */
export function parseValidity(value: string): { validFrom: Date | null; validTo: Date | null } | undefined {
  const v = value.trim();
  if (v === 'forever') return { validFrom: null, validTo: null };
  let m = /^from (\S+) to (\S+)$/.exec(v);
  if (m) {
    const validFrom = parseLocalTimestamp(m[1] ?? '');
    const validTo = m[2] === 'forever' ? null : parseLocalTimestamp(m[2] ?? '');
    if (validFrom === null || (validTo === null && m[2] !== 'forever')) return undefined;
    return { validFrom, validTo };
  }
  m = /^after (\S+)$/.exec(v);
  if (m) {
    const validFrom = parseLocalTimestamp(m[1] ?? '');
    return validFrom === null ? undefined : { validFrom, validTo: null };
  }
  m = /^before (\S+)$/.exec(v);
  if (m) {
    const validTo = parseLocalTimestamp(m[1] ?? '');
    return validTo === null ? undefined : { validFrom: null, validTo };
  }
  return undefined;
}

/**
 * Parses the output of `ssh-keygen -L -f <file>` (one certificate).
 * Throws an Error when there is no `Valid:` line it understands.
 */
export function parseKeygenList(text: string): ParsedCertificate {
  let type = '';
  let keyId: string | undefined;
  let validity: { validFrom: Date | null; validTo: Date | null } | undefined;
  const principals: string[] = [];
  let inPrincipals = false;
  for (const raw of text.split(/\r?\n/)) {
    const field = /^\s{1,8}([A-Za-z][A-Za-z ]*):\s?(.*)$/.exec(raw);
    if (field) {
      const name = field[1] ?? '';
      const value = (field[2] ?? '').trim();
      inPrincipals = name === 'Principals';
      if (name === 'Type') type = value;
      else if (name === 'Key ID') keyId = value.replace(/^"(.*)"$/, '$1');
      else if (name === 'Valid') validity = parseValidity(value);
      else if (inPrincipals && value !== '' && value !== '(none)') principals.push(value);
      continue;
    }
    if (inPrincipals && /^\s{9,}\S/.test(raw)) principals.push(raw.trim());
    else inPrincipals = false;
  }
  if (validity === undefined) throw new Error(`no certificate validity in ssh-keygen output: ${text.trim().slice(0, 200)}`);
  return { type, keyId, principals, ...validity };
}

/** Where a certificate came from. */
export type CertificateSource = 'route' | 'ssh-config' | 'agent' | 'teleport';

/** A certificate the route depends on. */
export interface CertificateInfo extends ParsedCertificate {
  /** The file, or `agent:<comment>` for one held only by the agent. */
  readonly path: string;
  readonly source: CertificateSource;
  /** The file's mtime when read (ms), to notice a new `tsh login`; 0 for the agent. */
  readonly mtimeMs: number;
}

/** Validity at `now`. */
export function certificateExpired(cert: Pick<ParsedCertificate, 'validTo'>, now: number = Date.now()): boolean {
  return cert.validTo !== null && cert.validTo.getTime() <= now;
}

export function certificateNotYetValid(cert: Pick<ParsedCertificate, 'validFrom'>, now: number = Date.now()): boolean {
  return cert.validFrom !== null && cert.validFrom.getTime() > now;
}

/** `HH:MM` (local) or a full local date-time when not today. */
export function formatLocalTime(date: Date, now: Date = new Date()): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const hm = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const sameDay = date.toDateString() === now.toDateString();
  return sameDay ? hm : `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${hm}`;
}

/**
 * The warning to show at `now` (T-60 min and T-10 min by default), or undefined.
 *
 * @example
 * certificateWarning(cert, Date.now(), 'tsh login --proxy=jump.ecmwf.int')
 * // "certificate ~/.tsh/…-cert.pub expires in 9 min (at 18:02): open tunnels keep working, new connections will need `tsh login --proxy=jump.ecmwf.int`"
 */
export function certificateWarning(
  cert: Pick<CertificateInfo, 'validTo' | 'path'>,
  now: number = Date.now(),
  loginCommand?: string,
  thresholdsMin: readonly number[] = [60, 10],
): string | undefined {
  if (cert.validTo === null) return undefined;
  const left = cert.validTo.getTime() - now;
  if (left <= 0) return undefined;
  const widest = Math.max(...thresholdsMin);
  if (left > widest * 60_000) return undefined;
  const when = left < 60_000 ? 'less than 1 min' : `${Math.ceil(left / 60_000)} min`;
  const login = loginCommand === undefined ? 'a new login' : `\`${loginCommand}\``;
  return (
    `certificate ${cert.path} expires in ${when} (at ${formatLocalTime(cert.validTo, new Date(now))}): ` +
    `open tunnels keep working, but reconnects will need ${login}`
  );
}

/** The message for an expired (or not yet valid) certificate. */
export function certificateProblem(cert: CertificateInfo, now: number = Date.now(), loginCommand?: string): string | undefined {
  const login = loginCommand === undefined ? 'log in again (e.g. `tsh login`)' : `run \`${loginCommand}\``;
  if (certificateExpired(cert, now) && cert.validTo !== null) {
    return `certificate ${cert.path} expired at ${formatLocalTime(cert.validTo, new Date(now))}: ${login}`;
  }
  if (certificateNotYetValid(cert, now) && cert.validFrom !== null) {
    return `certificate ${cert.path} is not valid before ${formatLocalTime(cert.validFrom, new Date(now))} (clock skew?)`;
  }
  return undefined;
}

export interface CertificateToolOptions {
  readonly sshKeygen?: string;
  readonly sshAdd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Reads one certificate file with `ssh-keygen -L -f`. Throws with ssh-keygen's message. */
export async function readCertificateFile(
  path: string,
  source: CertificateSource,
  options: CertificateToolOptions = {},
): Promise<CertificateInfo> {
  const mtimeMs = statSync(path).mtimeMs;
  const r = await runProgram(options.sshKeygen ?? 'ssh-keygen', ['-L', '-f', path], options.env ? { env: options.env } : {});
  if (r.code !== 0) throw new Error(`ssh-keygen -L -f ${path} failed: ${(r.stderr || r.stdout).trim() || `status ${String(r.code)}`}`);
  return { ...parseKeygenList(r.stdout), path, source, mtimeMs };
}

/** Certificates held by the agent (`ssh-add -L`), each read with `ssh-keygen -L -f -`. */
export async function readAgentCertificates(
  agentSocket: string | undefined,
  options: CertificateToolOptions = {},
): Promise<CertificateInfo[]> {
  const env = { ...(options.env ?? process.env) };
  if (agentSocket !== undefined) env['SSH_AUTH_SOCK'] = agentSocket;
  const list = await runProgram(options.sshAdd ?? 'ssh-add', ['-L'], { env, timeoutMs: 5000 });
  if (list.code !== 0) return []; // 1: no identities, 2: no agent
  const out: CertificateInfo[] = [];
  for (const line of list.stdout.split(/\r?\n/)) {
    const [type, , ...comment] = line.trim().split(/\s+/);
    if (type === undefined || !type.endsWith('-cert-v01@openssh.com')) continue;
    const r = await runProgram(options.sshKeygen ?? 'ssh-keygen', ['-L', '-f', '-'], { env, input: `${line.trim()}\n` });
    if (r.code !== 0) continue;
    try {
      out.push({ ...parseKeygenList(r.stdout), path: `agent:${comment.join(' ') || type}`, source: 'agent', mtimeMs: 0 });
    } catch {
      // not parseable: ignore this agent entry
    }
  }
  return out;
}

/** Teleport's certificate files: `<home>/keys/<proxy>/<user>-ssh/<cluster>-cert.pub`. */
export function teleportCertificateFiles(teleportHome: string): { path: string; proxy: string; user: string; cluster: string }[] {
  const keys = join(teleportHome, 'keys');
  const out: { path: string; proxy: string; user: string; cluster: string }[] = [];
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  for (const proxy of list(keys)) {
    for (const entry of list(join(keys, proxy))) {
      if (!entry.endsWith('-ssh')) continue;
      for (const file of list(join(keys, proxy, entry))) {
        if (!file.endsWith('-cert.pub')) continue;
        out.push({ path: join(keys, proxy, entry, file), proxy, user: entry.slice(0, -4), cluster: file.slice(0, -9) });
      }
    }
  }
  return out;
}

/** Teleport's base directory: $TELEPORT_HOME or ~/.tsh. */
export function teleportHomeDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env['TELEPORT_HOME'] || join(homedir(), '.tsh');
}

export interface FindCertificateOptions extends CertificateToolOptions {
  /** The route's own certificate file (config `certificateFile`). */
  readonly certificateFile?: string | undefined;
  /** The route's own identity file (its `-cert.pub` sibling is tried). */
  readonly identityFile?: string | undefined;
  /** `ssh -G` of the destination, then of each jump hop. */
  readonly resolved: readonly SshResolvedConfig[];
  /** Look in the agent (default: unless `identityagent none`). */
  readonly agent?: boolean;
  /** Teleport base directory; default {@link teleportHomeDir}. `null` = do not look. */
  readonly teleportHome?: string | null;
}

function newest(certs: readonly CertificateInfo[]): CertificateInfo | undefined {
  let best: CertificateInfo | undefined;
  for (const c of certs) {
    const end = c.validTo?.getTime() ?? Number.POSITIVE_INFINITY;
    const bestEnd = best?.validTo?.getTime() ?? Number.POSITIVE_INFINITY;
    if (best === undefined || end > bestEnd) best = c;
  }
  return best;
}

/**
 * The certificate this route will present, or undefined when it uses plain keys only.
 * Files that exist but cannot be read by ssh-keygen are skipped.
 */
export async function findCertificate(options: FindCertificateOptions): Promise<CertificateInfo | undefined> {
  const tryFile = async (path: string, source: CertificateSource): Promise<CertificateInfo | undefined> => {
    if (!existsSync(path)) return undefined;
    try {
      return await readCertificateFile(path, source, options);
    } catch {
      return undefined;
    }
  };
  const candidates: [string, CertificateSource][] = [];
  if (options.certificateFile !== undefined) candidates.push([options.certificateFile, 'route']);
  if (options.identityFile !== undefined) candidates.push([`${options.identityFile}-cert.pub`, 'route']);
  for (const resolved of options.resolved) {
    for (const f of resolved.certificateFiles) candidates.push([f, 'ssh-config']);
    for (const f of resolved.identityFiles) candidates.push([`${f}-cert.pub`, 'ssh-config']);
  }
  const seen = new Set<string>();
  for (const [path, source] of candidates) {
    if (seen.has(path)) continue;
    seen.add(path);
    const cert = await tryFile(path, source);
    if (cert) return cert;
  }
  const agentSetting = options.resolved[0]?.identityAgent;
  const useAgent = options.agent ?? agentSetting !== 'none';
  if (useAgent) {
    const socket = agentSetting === undefined || agentSetting === 'SSH_AUTH_SOCK' ? undefined : agentSetting;
    const cert = newest(await readAgentCertificates(socket, options));
    if (cert) return cert;
  }
  if (options.teleportHome !== null) {
    const files = teleportCertificateFiles(options.teleportHome ?? teleportHomeDir(options.env));
    const hosts = new Set(options.resolved.map((r) => r.hostname));
    files.sort((a, b) => Number(hosts.has(b.proxy)) - Number(hosts.has(a.proxy)));
    const found: CertificateInfo[] = [];
    for (const f of files) {
      const cert = await tryFile(f.path, 'teleport');
      if (cert) found.push(cert);
      if (cert && hosts.has(f.proxy)) return cert;
    }
    return newest(found);
  }
  return undefined;
}
