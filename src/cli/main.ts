/**
 * `ecflow-remote` entry point: one sub-command per file in src/cli (thin over src/client).
 */
import { readFileSync } from 'node:fs';
import { clientHelp, runClientCommand, type CliIo } from './client-command.js';
import { ExitCode } from './exit-codes.js';
import { runDemoCommand } from './demo-command.js';
import { runDoctorCommand } from './doctor-command.js';
import { runEcflowUiCommand } from './ecflow-ui-command.js';
import { runOutputCommand } from './output-command.js';
import { runStatusCommand } from './status-command.js';
import { runUiCommand } from './ui-command.js';
import { runUpCommand } from './up-command.js';

interface SubCommand {
  readonly name: string;
  readonly summary: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

const COMMANDS: readonly SubCommand[] = [
  {
    name: 'client',
    summary: "talk to an ecFlow server with ecflow_client's syntax (--ping, --get, --suspend=/s1, ...)",
    run: runClientCommand,
  },
  { name: 'demo', summary: 'a live local ecFlow server with a demo suite, in the browser UI (no centre needed)', run: (a, io) => runDemoCommand(a, io) },
  { name: 'up', summary: 'start the routes to the centre, keep them healthy, check the servers', run: (a, io) => runUpCommand(a, io) },
  { name: 'status', summary: 'routes and servers as `up` sees them (--json)', run: runStatusCommand },
  { name: 'doctor', summary: 'check routes, servers and log servers; say what is wrong and how to fix it', run: runDoctorCommand },
  { name: 'output', summary: "a task's job output from its log server or the ecFlow server (--follow)", run: (a, io) => runOutputCommand(a, io) },
  { name: 'ecflow-ui', summary: "ecFlow's own ecflow_ui with the config's servers, through local forwards", run: runEcflowUiCommand },
  { name: 'ui', summary: 'the ecFlow UI in your browser (127.0.0.1, with an access token)', run: (a, io) => runUiCommand(a, io) },
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function help(): string {
  return (
    'Usage: ecflow-remote <command> [options]\n\nCommands:\n' +
    COMMANDS.map((c) => `  ${c.name.padEnd(12)}${c.summary}\n`).join('') +
    "\nRun 'ecflow-remote <command> --help' for a command's options.\n"
  );
}

export async function main(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return name === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  if (name === '--version' || name === 'version') {
    io.stdout.write(`ecflow-remote ${version()}\n`);
    return ExitCode.OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr.write(`ecflow-remote: unknown command '${name}'\n\n${help()}`);
    return ExitCode.USAGE;
  }
  return command.run(rest, io);
}

function defaultIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

export { clientHelp };
