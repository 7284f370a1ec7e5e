/**
 * What OpenSSH will do for a route, asked from OpenSSH itself: `ssh -G` for the destination (with
 * the route's -F/-J) and for each jump hop (connectivity-notes.md §1.1). Gives the probe target
 * (HostName/Port) and the certificate candidates (CertificateFile, IdentityFile) without parsing
 * ssh_config ourselves. Note: the user's `Match exec` lines run for `ssh -G` too (§1.2), so the
 * supervisor caches the result until a reconnect or login is asked for.
 */

import { buildResolveArgv, jumpTarget, parseResolvedConfig, type SshResolvedConfig, type SshTarget } from './ssh-command.js';
import { runProgram } from './ssh-process.js';

export interface ResolveOptions {
  readonly ssh?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** `ssh -G [-l user] [-p port] …` for one host. Throws with ssh's message. */
export async function resolveHost(
  target: SshTarget & { port?: number; user?: string },
  options: ResolveOptions = {},
): Promise<SshResolvedConfig> {
  const ssh = options.ssh ?? 'ssh';
  const argv = buildResolveArgv(target);
  if (target.port !== undefined) argv.splice(1, 0, '-p', String(target.port));
  if (target.user !== undefined) argv.splice(1, 0, '-l', target.user);
  const r = await runProgram(ssh, argv, { ...(options.env ? { env: options.env } : {}), timeoutMs: 15_000 });
  if (r.spawnError) throw new Error(`cannot run ${ssh}: ${r.spawnError.message}`);
  if (r.code !== 0) throw new Error(`ssh -G ${target.destination} failed: ${(r.stderr || r.stdout).trim() || `status ${String(r.code)}`}`);
  return parseResolvedConfig(r.stdout);
}

/**
 * The destination's effective configuration first, then each jump hop's (at most 4; a hop that
 * cannot be resolved is skipped: it only costs its certificate candidates).
 *
 * @example
 * const [ws, jump] = await resolveRoute({ destination: 'ws', configFile: '/home/u/.ssh/config' });
 * ws.hostname; ws.port; jump?.certificateFiles;
 */
export async function resolveRoute(target: SshTarget, options: ResolveOptions = {}): Promise<SshResolvedConfig[]> {
  const destination = await resolveHost(target, options);
  const out = [destination];
  // `proxyjump` in the -G output already reflects -J (the route's `jump`) or the ssh config.
  for (const hop of destination.proxyJump.slice(0, 4)) {
    const jump = jumpTarget(hop);
    if (jump === undefined) continue;
    try {
      out.push(await resolveHost({ ...jump, configFile: target.configFile }, options));
    } catch {
      // see above
    }
  }
  return out;
}
