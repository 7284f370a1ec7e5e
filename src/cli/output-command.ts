/**
 * `ecflow-remote output --server NAME PATH [--follow] [--try N] [--lines N]`: a task's job output
 * through ecflow_ui's fetch chain (log server, then the ecFlow server), through the server's
 * route. The output goes to stdout; which source served it (and why earlier ones did not) to
 * stderr, or everything as JSON with --json.
 */
import { EcflowError, ErrorCode } from '../errors.js';
import { loadConfig } from '../config/config.js';
import { Centre } from '../client/centre.js';
import { ServerSession } from '../client/server-session.js';
import { fetchOutput } from '../logserver/output-chain.js';
import { followOutput } from '../logserver/output-follow.js';
import type { CliIo } from './client-command.js';
import { commonOptions, parseCommandArgs, type OptionSpec } from './command-args.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'server', value: 'NAME', summary: 'the server (a [servers.NAME] of the config)' },
  { name: 'try', value: 'N', summary: 'the output of try N (default: the current one)' },
  { name: 'lines', value: 'N', summary: 'lines asked from the ecFlow server when it serves the output (default 10000)' },
  { name: 'follow', summary: 'keep printing what the job appends (needs a log server)' },
  { name: 'tries', summary: 'list the tries instead of printing an output' },
  ...commonOptions,
];
const USAGE = 'Usage: ecflow-remote output --server=NAME PATH [--follow] [--try=N]\nThe job output of a task, from its log server or the ecFlow server.\n';

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `--${name}: a whole number, got '${text}'`);
  return Number(text);
}

export async function runOutputCommand(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  let centre: Centre | undefined;
  let session: ServerSession | undefined;
  try {
    const args = parseCommandArgs(argv, OPTIONS, USAGE);
    if ('help' in args) {
      io.stdout.write(args.help);
      return ExitCode.OK;
    }
    const serverName = args.values.get('server');
    if (serverName === undefined) throw new EcflowError(ErrorCode.INVALID_ARGUMENT, '--server=NAME is required');
    const [path, ...extra] = args.positionals;
    if (path === undefined || !path.startsWith('/') || extra.length > 0) {
      throw new EcflowError(ErrorCode.INVALID_ARGUMENT, 'exactly one task path starting with / is required');
    }
    const tryNo = positiveInt('try', args.values.get('try'));
    const maxLines = positiveInt('lines', args.values.get('lines'));
    const json = args.flags.has('json');
    const config = await loadConfig({ env: io.env, ...(args.values.get('config') === undefined ? {} : { path: args.values.get('config')! }) });
    centre = Centre.open({ config, env: io.env as NodeJS.ProcessEnv, onWarning: (m) => io.stderr.write(`warning: ${m}\n`) });
    const server = centre.server(serverName);
    const client = centre.client(serverName);
    const suite = path.split('/')[1]!;
    // Only the task's suite is synced: a client handle for one suite keeps this cheap on big servers.
    session = new ServerSession(client, { suites: [suite] });
    await session.connect(signal ? { signal } : {});
    const node = session.defs!.findNode(path);
    if (node === undefined) throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `no node at '${path}' on server ${serverName}`);
    const connector = centre.routeConnector(server.route);
    const chain = {
      client,
      ...(server.logserver === undefined ? {} : { logServer: server.logserver }),
      ...(connector === undefined ? {} : { connector }),
      ...(maxLines === undefined ? {} : { maxLines }),
      ...(signal === undefined ? {} : { signal }),
    };
    if (args.flags.has('follow')) {
      io.stderr.write(`# following ${path}${tryNo === undefined ? '' : ` try ${tryNo}`} (Ctrl-C to stop)\n`);
      for await (const event of followOutput(node, { ...chain, ...(tryNo === undefined ? {} : { tryNo }) })) {
        if (json) io.stdout.write(`${JSON.stringify(event)}\n`);
        else {
          if (event.kind === 'replaced') io.stderr.write(`# the file was replaced${event.reason ? ` (${event.reason})` : ''}\n`);
          io.stdout.write(event.text);
        }
      }
      return ExitCode.OK;
    }
    const result = await fetchOutput(node, { ...chain, ...(tryNo === undefined ? {} : { tryNo }) });
    if (json) {
      const { bytes: _bytes, ...rest } = result;
      io.stdout.write(`${JSON.stringify({ ...rest, attempts: result.attempts.map((a) => ({ source: a.source, description: a.description, error: a.error.toJSON() })) })}\n`);
      return ExitCode.OK;
    }
    if (args.flags.has('tries')) {
      for (const t of result.tries) {
        io.stdout.write(`${String(t.tryNo).padStart(3)}  ${t.current ? 'current' : '       '}  ${t.size === undefined ? '' : `${t.size} bytes  `}${t.path}\n`);
      }
      return ExitCode.OK;
    }
    for (const a of result.attempts) io.stderr.write(`# ${a.description}: ${a.error.message}\n`);
    io.stderr.write(`# ${result.path} (try ${result.tryNo}${result.current ? ', current' : ''}) from ${result.sourceDescription}${result.truncated ? ', truncated' : ''}\n`);
    io.stdout.write(result.content);
    return ExitCode.OK;
  } catch (e) {
    io.stderr.write(`ecflow-remote output: ${e instanceof Error ? e.message : String(e)}\n`);
    const attempts = (e as { attempts?: { description: string; error: Error }[] }).attempts;
    for (const a of attempts ?? []) io.stderr.write(`  ${a.description}: ${a.error.message}\n`);
    return exitCodeFor(e);
  } finally {
    await session?.close().catch(() => undefined);
    await centre?.stop();
  }
}
