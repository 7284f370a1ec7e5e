/**
 * Options of our own sub-commands (up, status, doctor, output, ecflow-ui): one typed table per
 * command, parsed with node:util parseArgs, help generated from the table.
 */
import { parseArgs } from 'node:util';
import { EcflowError, ErrorCode } from '../errors.js';
import type { RouteStatus } from '../transport/ssh-route.js';

export interface OptionSpec {
  readonly name: string;
  /** Placeholder of the value (e.g. 'FILE'); absent = a flag. */
  readonly value?: string;
  readonly summary: string;
}

export const commonOptions: readonly OptionSpec[] = [
  { name: 'config', value: 'FILE', summary: 'config file (default: ECFLOW_REMOTE_CONFIG, else ~/.config/ecflow-remote/config.toml)' },
  { name: 'json', summary: 'machine-readable output' },
  { name: 'help', summary: 'this help' },
];

export interface CommandArgs {
  readonly values: ReadonlyMap<string, string>;
  readonly flags: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

export function helpText(usage: string, specs: readonly OptionSpec[]): string {
  const lines = specs.map((o) => {
    const left = `  --${o.name}${o.value ? `=${o.value}` : ''}`;
    return left.length < 28 ? `${left.padEnd(28)}${o.summary}` : `${left}\n${' '.repeat(28)}${o.summary}`;
  });
  return `${usage}\nOptions:\n${lines.join('\n')}\n`;
}

/** Parse argv against the table; `{ help }` when --help was given. Unknown options: INVALID_ARGUMENT. */
export function parseCommandArgs(argv: readonly string[], specs: readonly OptionSpec[], usage: string): CommandArgs | { help: string } {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const o of specs) options[o.name] = { type: o.value === undefined ? 'boolean' : 'string' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `${(e as Error).message.replace(/\. To specify.*$/s, '')}; see --help`);
  }
  if (parsed.values['help'] === true) return { help: helpText(usage, specs) };
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (const [k, v] of Object.entries(parsed.values)) {
    if (typeof v === 'string') values.set(k, v);
    else if (v === true) flags.add(k);
  }
  return { values, flags, positionals: parsed.positionals };
}

/** One line for a route's state, for people. */
export function describeRoute(s: RouteStatus): string {
  const cert =
    s.certificate === undefined
      ? ''
      : s.certificate.expired
        ? ', certificate EXPIRED'
        : s.certificate.validTo === null
          ? ', certificate never expires'
          : `, certificate valid until ${new Date(s.certificate.validTo).toLocaleString()}`;
  switch (s.state) {
    case 'up':
      return `up (SOCKS 127.0.0.1:${s.socksPort}${cert}${s.reconnects > 0 ? `, ${s.reconnects} reconnect(s)` : ''})`;
    case 'connecting':
      return `connecting${cert}`;
    case 'backoff':
      return `down, retrying${s.nextAttemptAt ? ` at ${new Date(s.nextAttemptAt).toLocaleTimeString()}` : ''}: ${s.lastError?.message ?? 'unknown error'}`;
    case 'needs-login':
      return `needs login: ${s.lastError?.message ?? 'authentication refused'}${cert}`;
    case 'failed':
      return `failed: ${s.lastError?.message ?? 'unknown error'}`;
    default:
      return s.state;
  }
}
