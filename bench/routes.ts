/**
 * Routes to the centre, measured in the namespace lab (test/helpers/lab): time from starting a
 * route (`up`'s supervisor) to the first successful ping through it, and the cost of a request
 * through the route's SOCKS port against one through an `-L` forward of the same master (the old
 * recipe) and against a direct one inside the centre (no tunnel). Needs root (network namespaces);
 * otherwise it says why and is skipped.
 */
import { fileURLToPath } from 'node:url';
import { canBuildLab, startCentreLab } from '../test/helpers/lab/centre-lab.js';

export interface RoutesResult {
  readonly skipped?: string;
  readonly firstPingMs?: number[];
  readonly socksMs?: number;
  readonly forwardMs?: number;
  readonly directMs?: number;
  readonly text: string;
}

const child = fileURLToPath(new URL('./routes-child.js', import.meta.url));
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const p95 = (xs: readonly number[]): number => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;

export async function benchRoutes(rounds = 3, pings = 50): Promise<RoutesResult> {
  const cap = await canBuildLab();
  if (!cap.ok) return { skipped: cap.reason, text: `routes: skipped (${cap.reason})` };
  const lab = await startCentreLab();
  try {
    const config = await lab.writeFile(
      'bench.toml',
      `[routes.centre]\ndestination = "ws"\nssh_config = "${lab.user.sshConfig}"\n[servers.a]\nhost = "machine1"\nport = 4141\nroute = "centre"\nremote_user = "ecuser"\n`,
    );
    const first: number[] = [];
    const socks: number[] = [];
    const forward: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const r = await lab.homeExec(['node', child, 'route', config, String(pings)], { XDG_RUNTIME_DIR: lab.dir });
      if (r.code !== 0) throw new Error(`routes child failed: ${r.stderr}`);
      const out = JSON.parse(r.stdout) as { firstPingMs: number; socks: number[]; forward: number[] };
      first.push(out.firstPingMs);
      socks.push(...out.socks);
      forward.push(...out.forward);
    }
    const d = await lab.centreExec('workstation', ['node', child, 'direct', 'machine1', '4141', String(pings * rounds)]);
    if (d.code !== 0) throw new Error(`direct child failed: ${d.stderr}`);
    const direct = (JSON.parse(d.stdout) as { direct: number[] }).direct;
    const ms = (x: number) => `${x.toFixed(2)} ms`;
    const text = [
      `routes (namespace lab: home -> jump -> workstation, OpenSSH master with ProxyJump, ecflow_server inside the centre)`,
      `  start of a route -> first successful ping through it: ${first.map((x) => `${x.toFixed(0)} ms`).join(', ')} (median ${median(first).toFixed(0)} ms)`,
      `  ping through the route's SOCKS port (ours):      median ${ms(median(socks))}, p95 ${ms(p95(socks))}`,
      `  ping through an -L forward of the same master:   median ${ms(median(forward))}, p95 ${ms(p95(forward))}`,
      `  ping direct inside the centre (no tunnel):       median ${ms(median(direct))}, p95 ${ms(p95(direct))}`,
      `  SOCKS vs direct: +${ms(median(socks) - median(direct))} per request (${(median(socks) / median(direct)).toFixed(1)}x); SOCKS vs -L: ${(median(socks) / median(forward)).toFixed(2)}x`,
    ].join('\n');
    return { firstPingMs: first, socksMs: median(socks), forwardMs: median(forward), directMs: median(direct), text };
  } finally {
    await lab.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchRoutes().then(
    (r) => process.stdout.write(`${r.text}\n`),
    (e: unknown) => {
      process.stderr.write(`routes bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
