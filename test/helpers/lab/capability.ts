/**
 * Can this machine build the centre lab? End-to-end tests call this first and skip (with the
 * reason in their output) ONLY when the answer is no: not Linux, not root, a program missing,
 * or the kernel/container refusing network namespaces or veth links.
 *
 * The nft firewall is not a condition: without `nft` (Debian package nftables) the lab is built
 * without it and says so (`firewall: false`); home still has no route into the centre.
 *
 * @example
 *   const cap = await canBuildLab();
 *   if (!cap.ok) { t.skip(cap.reason); return; }
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ECFLOW_CLIENT_BIN, ECFLOW_SERVER_BIN } from '../ecflow-server.js';
import { LOGSVR_BIN } from './ecflow-centre.js';

export type LabCapability = { ok: true; firewall: boolean } | { ok: false; reason: string };

export const SSHD_BIN = '/usr/sbin/sshd';

/** The path of an executable (absolute, or looked up in PATH), or undefined. */
export function findProgram(name: string): string | undefined {
  const path = process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin';
  const candidates = name.includes('/') ? [name] : path.split(delimiter).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return undefined;
}

const cache = new Map<string, Promise<LabCapability>>();

/** See the module comment. `ecflow: false` leaves out the ecFlow programs (an ssh-only lab). */
export function canBuildLab(options: { ecflow?: boolean } = {}): Promise<LabCapability> {
  const key = options.ecflow === false ? 'ssh' : 'full';
  let p = cache.get(key);
  if (!p) {
    p = Promise.resolve().then(() => check(options.ecflow !== false));
    cache.set(key, p);
  }
  return p;
}

function check(ecflow: boolean): LabCapability {
  if (process.platform !== 'linux') return { ok: false, reason: `network namespaces need Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'the centre lab needs root (ip netns, veth, sshd, useradd)' };
  const programs = ['ip', 'ssh', 'ssh-keygen', SSHD_BIN, 'setpriv', 'unshare', 'hostname', 'useradd', 'usermod'];
  if (ecflow) programs.push(ECFLOW_SERVER_BIN, ECFLOW_CLIENT_BIN, LOGSVR_BIN, 'perl');
  const missing = programs.filter((p) => findProgram(p) === undefined);
  if (missing.length > 0) return { ok: false, reason: `programs missing for the centre lab: ${missing.join(', ')}` };

  const ns = `rlab-probe-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
  const run = (args: string[], input?: string) =>
    spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000, input: input ?? '' });
  const add = run(['netns', 'add', ns]);
  if (add.status !== 0) {
    return { ok: false, reason: `network namespaces refused here: ip netns add: ${add.stderr.trim() || add.error}` };
  }
  try {
    const veth = run(['-n', ns, 'link', 'add', 'rlprobe0', 'type', 'veth', 'peer', 'name', 'rlprobe1']);
    if (veth.status !== 0) return { ok: false, reason: `veth links refused here: ${veth.stderr.trim()}` };
    const exec = run(['netns', 'exec', ns, 'true']);
    if (exec.status !== 0) return { ok: false, reason: `ip netns exec fails here: ${exec.stderr.trim()}` };
    let firewall = false;
    if (findProgram('nft') !== undefined) {
      const rules =
        'table inet rlprobe {\n  chain input {\n' +
        '    type filter hook input priority 0; policy accept;\n    ct state established accept\n  }\n}\n';
      firewall = run(['netns', 'exec', ns, 'nft', '-f', '-'], rules).status === 0;
    }
    return { ok: true, firewall };
  } finally {
    run(['netns', 'del', ns]);
  }
}
