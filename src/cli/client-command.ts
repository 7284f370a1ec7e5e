/**
 * `ecflow-remote client`: ecflow_client's command line over our native client.
 *
 *   ecflow-remote client [--host=H] [--port=P] [--ssl] [--user=NAME] [--remote-user=NAME]
 *                        [--password-file=F] [--json] [--timeout=S] --<action>[=value] [values...]
 *
 * Connection: --host/--port, else ECF_HOST/ECF_PORT, else localhost:3141. TLS: --ssl or ECF_SSL
 * (ECF_SSL=<host>.<port> names the certificate file, as ecflow_client does). --user or ECF_USER is a
 * custom user (password from --password-file, ECF_CUSTOM_PASSWD); --remote-user is the name we are
 * known by on the server (default: the local login name).
 */
import { createInterface } from 'node:readline/promises';
import { EcflowError, EcflowServerError, ErrorCode, isEcflowError } from '../errors.js';
import { EcflowClient, type EcflowClientOptions } from '../client/ecflow-client.js';
import { Centre, identityOf } from '../client/centre.js';
import { loadConfig } from '../config/config.js';
import type { EcflowIdentity } from '../client/identity.js';
import { parseArgv, type ParsedOption } from './argv.js';
import { CLIENT_ACTIONS, findAction, type ActionContext } from './client-actions.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Options of `client` itself (not actions), with their help. */
const CONNECTION_OPTIONS: readonly { name: string; args: string; summary: string }[] = [
  { name: 'server', args: '=NAME', summary: 'a server of the config file: its host, port, route and identity' },
  { name: 'config', args: '=FILE', summary: 'config file (default: ECFLOW_REMOTE_CONFIG, else ~/.config/ecflow-remote/config.toml)' },
  { name: 'host', args: '=HOST', summary: 'server host (default: ECF_HOST, else localhost)' },
  { name: 'port', args: '=PORT', summary: 'server port (default: ECF_PORT, else 3141)' },
  { name: 'ssl', args: '', summary: 'use TLS; trusts ~/.ecflowrc/ssl/server.crt or <host>.<port>.crt (also ECF_SSL)' },
  { name: 'user', args: '=NAME', summary: 'custom user, authenticated by password (also ECF_USER)' },
  { name: 'remote-user', args: '=NAME', summary: 'the user name the server knows you by (default: your login name)' },
  { name: 'password-file', args: '=FILE', summary: 'ecFlow passwd file (format 4.5.0) with your password' },
  { name: 'timeout', args: '=SECONDS', summary: 'override the request timeout' },
  { name: 'json', args: '', summary: 'machine-readable output on stdout' },
  { name: 'debug', args: '', summary: 'show stack traces of errors' },
  { name: 'help', args: '', summary: 'this help' },
];

export function clientHelp(): string {
  const line = (o: { name: string; args: string; summary: string }) => {
    const left = `  --${o.name}${o.args}`;
    return left.length < 34 ? `${left.padEnd(34)}${o.summary}\n` : `${left}\n${' '.repeat(34)}${o.summary}\n`;
  };
  return (
    'Usage: ecflow-remote client [--server=NAME | connection options] --ACTION[=VALUE] [VALUES...]\n' +
    "ecflow_client's own syntax, e.g. --suspend=/s1/f1 or --force=complete recursive /s1/f1\n\n" +
    'Connection options:\n' +
    CONNECTION_OPTIONS.map(line).join('') +
    '\nActions:\n' +
    CLIENT_ACTIONS.map(line).join('') +
    '\nExit codes: 0 ok, 1 server error, 2 usage, 3 unreachable/timeout, 4 authentication, 5 protocol, 130 cancelled\n'
  );
}

interface ClientCliSettings {
  readonly clientOptions: EcflowClientOptions;
  /** --server NAME: take the connection from the config file. */
  readonly server?: { readonly name: string; readonly config?: string };
  readonly action: ParsedOption;
  readonly json: boolean;
  readonly debug: boolean;
}

function parseSettings(argv: readonly string[], env: CliIo['env']): ClientCliSettings | 'help' {
  const { options, leading } = parseArgv(argv);
  if (leading.length > 0) throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `unexpected argument '${leading[0]}'`);
  const connection = new Map<string, ParsedOption>();
  const actions: ParsedOption[] = [];
  for (const o of options) {
    if (CONNECTION_OPTIONS.some((c) => c.name === o.name) || o.name === 'password') connection.set(o.name, o);
    else actions.push(o);
  }
  if (connection.has('help')) return 'help';
  const one = (name: string): string | undefined => {
    const o = connection.get(name);
    if (o === undefined) return undefined;
    if (o.values.length !== 1) throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `--${name} takes exactly one value`);
    return o.values[0];
  };
  if (actions.length === 0) throw new EcflowError(ErrorCode.INVALID_ARGUMENT, 'no action given (e.g. --ping); see --help');
  if (actions.length > 1) {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `one action at a time: got ${actions.map((a) => `--${a.name}`).join(', ')}`);
  }
  const action = actions[0]!;
  if (findAction(action.name) === undefined) {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `unknown option --${action.name}; see --help`);
  }

  const host = one('host') ?? env['ECF_HOST'] ?? 'localhost';
  const portText = one('port') ?? env['ECF_PORT'] ?? '3141';
  if (!/^\d+$/.test(portText)) throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `invalid port '${portText}'`);
  const port = Number(portText);

  const ecfSsl = env['ECF_SSL'];
  let ssl: EcflowClientOptions['ssl'] = connection.has('ssl') || ecfSsl !== undefined;
  if (ecfSsl !== undefined && /^[^.]+.*\.\d+$/.test(ecfSsl)) ssl = { certName: `${ecfSsl}.crt` };

  const customUser = one('user') ?? env['ECF_USER'];
  const remoteUser = one('remote-user');
  const passwordFile = one('password-file');
  const password = one('password');
  const identity: EcflowIdentity = {
    ...(customUser === undefined ? {} : { customUser }),
    ...(remoteUser === undefined ? {} : { remoteUser }),
    ...(password !== undefined ? { password } : passwordFile !== undefined ? { passwordFile } : {}),
  };
  const timeout = one('timeout');
  let timeouts: EcflowClientOptions['timeouts'];
  if (timeout !== undefined) {
    const s = Number(timeout);
    if (!(s > 0)) throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `invalid --timeout '${timeout}': seconds > 0`);
    const ms = Math.round(s * 1000);
    timeouts = { news: ms, long: ms, default: ms, task: ms };
  }
  const server = one('server');
  const config = one('config');
  return {
    clientOptions: { host, port, ssl, identity, env, ...(timeouts === undefined ? {} : { timeouts }) },
    ...(server === undefined ? {} : { server: { name: server, ...(config === undefined ? {} : { config }) } }),
    action,
    json: connection.has('json'),
    debug: connection.has('debug'),
  };
}

/** Run `ecflow-remote client ARGS`; returns the exit code. */
export async function runClientCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let json = argv.includes('--json');
  let debug = argv.includes('--debug');
  try {
    const settings = parseSettings(argv, io.env);
    if (settings === 'help') {
      io.stdout.write(clientHelp());
      return ExitCode.OK;
    }
    json = settings.json;
    debug = settings.debug;
    if (settings.clientOptions.identity && 'password' in settings.clientOptions.identity) {
      io.stderr.write('warning: --password is visible to other users in the process list; prefer --password-file\n');
    }
    const onWarning = (m: string) => io.stderr.write(`warning: ${m}\n`);
    let centre: Centre | undefined;
    let client: EcflowClient;
    if (settings.server !== undefined) {
      const config = await loadConfig({ env: io.env, ...(settings.server.config === undefined ? {} : { path: settings.server.config }) });
      centre = Centre.open({ config, env: io.env as NodeJS.ProcessEnv, onWarning });
      const o = settings.clientOptions;
      const identity = o.identity ?? {};
      client = centre.client(settings.server.name, {
        ...(o.timeouts === undefined ? {} : { timeouts: o.timeouts }),
        ...(Object.keys(identity).length > 0 ? { identity: mergeIdentity(identityOf(centre.server(settings.server.name)), identity) } : {}),
      });
    } else {
      client = new EcflowClient({ ...settings.clientOptions, onWarning });
    }
    try {
      const ctx: ActionContext = { client, json, confirm: (q) => confirm(io, q) };
      const action = findAction(settings.action.name)!;
      const result = await action.run(ctx, settings.action.values);
      if (json) io.stdout.write(`${JSON.stringify(result.json)}\n`);
      else if (result.text !== '') io.stdout.write(result.text);
      return ExitCode.OK;
    } finally {
      await centre?.stop();
    }
  } catch (e) {
    reportError(io, e, json, debug);
    return exitCodeFor(e);
  }
}

/** Command-line identity options override the config's; a password given either way replaces the other. */
function mergeIdentity(base: EcflowIdentity, cli: EcflowIdentity): EcflowIdentity {
  const users = {
    ...(cli.remoteUser ?? base.remoteUser) === undefined ? {} : { remoteUser: (cli.remoteUser ?? base.remoteUser)! },
    ...(cli.customUser ?? base.customUser) === undefined ? {} : { customUser: (cli.customUser ?? base.customUser)! },
  };
  if ('password' in cli && cli.password !== undefined) return { ...users, password: cli.password };
  if ('passwordFile' in cli && cli.passwordFile !== undefined) return { ...users, passwordFile: cli.passwordFile };
  if ('password' in base && base.password !== undefined) return { ...users, password: base.password };
  if ('passwordFile' in base && base.passwordFile !== undefined) return { ...users, passwordFile: base.passwordFile };
  return users;
}

function reportError(io: CliIo, e: unknown, json: boolean, debug: boolean): void {
  if (json) {
    const error = isEcflowError(e) ? e.toJSON() : { code: ErrorCode.BUG, message: String(e) };
    io.stdout.write(`${JSON.stringify({ ok: false, error })}\n`);
  } else if (e instanceof EcflowServerError) {
    const context = (e as EcflowServerError & { context?: string }).context;
    io.stderr.write(
      context === undefined
        ? `Error: Server reply: ${e.serverMessage}\n`
        : `Error: request( ${context} ) failed!  Server reply: ${e.serverMessage}\n`,
    );
  } else if (isEcflowError(e)) {
    io.stderr.write(`ecflow-remote: ${e.message}\n`);
  } else {
    io.stderr.write(`ecflow-remote: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
  }
  if (debug && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
}

async function confirm(io: CliIo, question: string): Promise<boolean> {
  if (!io.stdin.isTTY) {
    io.stderr.write(`${question} (no terminal to answer)\n`);
    return false;
  }
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
