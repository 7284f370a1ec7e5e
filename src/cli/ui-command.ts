/**
 * `ecflow-remote ui [--config F] [--port P] [--no-open] [--read-only]`: the browser UI on
 * 127.0.0.1 for the servers of the config (through the routes of a running `up`, or its own).
 * Prints the address with its access token on stdout (the only place the token is ever shown) and
 * opens it in the browser; runs until Ctrl-C / SIGTERM.
 */
import { EcflowError, ErrorCode } from '../errors.js';
import { loadConfig } from '../config/config.js';
import { openBrowser } from '../server/open-browser.js';
import { startUiServer } from '../server/ui-server.js';
import type { CliIo } from './client-command.js';
import { commonOptions, parseCommandArgs, type OptionSpec } from './command-args.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';

const OPTIONS: readonly OptionSpec[] = [
  ...commonOptions.filter((o) => o.name !== 'json'),
  { name: 'port', value: 'PORT', summary: 'port on 127.0.0.1 (default: [ui] port of the config, else a free port)' },
  { name: 'no-open', summary: 'do not open a browser; just print the address' },
  { name: 'read-only', summary: 'offer no changing commands and no server edits' },
];

export const UI_HELP = 'Usage: ecflow-remote ui [options]\nThe ecFlow UI in your browser, served on 127.0.0.1 for the servers of the config.\n';

export async function runUiCommand(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  try {
    const args = parseCommandArgs(argv, OPTIONS, UI_HELP);
    if ('help' in args) {
      io.stdout.write(args.help);
      return ExitCode.OK;
    }
    const portText = args.values.get('port');
    let port: number | undefined;
    if (portText !== undefined) {
      port = Number(portText);
      if (!/^\d+$/.test(portText) || port > 65535) throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `--port: a port from 0 to 65535, got '${portText}'`);
    }
    const configPath = args.values.get('config');
    const config = await loadConfig({ env: io.env, ...(configPath === undefined ? {} : { path: configPath }) });
    const say = (line: string) => io.stderr.write(`[${new Date().toLocaleTimeString()}] ${line}\n`);
    const ui = await startUiServer({
      config,
      env: io.env as NodeJS.ProcessEnv,
      ...(port === undefined ? {} : { port }),
      readOnly: args.flags.has('read-only'),
      log: say,
    });
    const servers = Object.keys(config.servers).length;
    say(`config ${config.path}: ${servers} server(s); Ctrl-C to stop`);
    if (servers === 0) say('no servers yet: add one in the UI (Servers > Add), or import ecflow_ui\'s servers.txt');
    io.stdout.write(`ecflow-remote UI: ${ui.url}\n`);
    if (!args.flags.has('no-open') && (io.stdout as { isTTY?: boolean }).isTTY === true) {
      const opened = await openBrowser(ui.url);
      if (!opened) say('could not open a browser: open the address above yourself');
    }
    await waitForStop(signal);
    say('stopping');
    await ui.close();
    return ExitCode.OK;
  } catch (e) {
    io.stderr.write(`ecflow-remote ui: ${e instanceof Error ? e.message : String(e)}\n`);
    return exitCodeFor(e);
  }
}

function waitForStop(signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
    signal?.addEventListener('abort', done, { once: true });
  });
}
