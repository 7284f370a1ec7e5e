/**
 * `ecflow-remote demo`: for a newcomer with no centre. Starts a local ecflow_server (Debian's
 * ecflow-server package) with a small suite that keeps running — tasks go active and complete, a
 * meter moves, one task aborts, output through a local ecflow_logsvr — and opens the browser UI on
 * it. Nothing of the user's own configuration is touched; Ctrl-C stops and removes everything.
 */
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../config/config.js';
import { startDemoCentre } from '../demo/demo-centre.js';
import { openBrowser } from '../server/open-browser.js';
import { startUiServer } from '../server/ui-server.js';
import type { CliIo } from './client-command.js';
import { helpText, parseCommandArgs, type OptionSpec } from './command-args.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'port', value: 'PORT', summary: 'port of the UI on 127.0.0.1 (default: a free port)' },
  { name: 'no-open', summary: 'do not open a browser; just print the address' },
  { name: 'keep', summary: "keep the demo's files (ECF_HOME, logs) after it stops" },
  { name: 'help', summary: 'this help' },
];
const USAGE = 'Usage: ecflow-remote demo [options]\nA live local ecFlow server with a demo suite, in the browser UI.\n';

export async function runDemoCommand(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  let stopDemo: (() => Promise<void>) | undefined;
  try {
    const args = parseCommandArgs(argv, OPTIONS, USAGE);
    if ('help' in args) {
      io.stdout.write(args.help);
      return ExitCode.OK;
    }
    const say = (line: string) => io.stderr.write(`[${new Date().toLocaleTimeString()}] ${line}\n`);
    const demo = await startDemoCentre({ keep: args.flags.has('keep'), env: io.env as NodeJS.ProcessEnv });
    stopDemo = demo.stop;
    say(`ecflow_server ${demo.host}:${demo.port} (pid ${demo.serverPid}), log server port ${demo.logPort}, files in ${demo.dir}`);
    const configFile = join(demo.dir, 'config.toml');
    await writeFile(configFile, `[servers.demo]\nhost = "${demo.host}"\nport = ${demo.port}\nfavourite = true\n`, { mode: 0o600 });
    const config = await loadConfig({ path: configFile, env: {} });
    const portText = args.values.get('port');
    const ui = await startUiServer({
      config,
      env: io.env as NodeJS.ProcessEnv,
      ...(portText === undefined ? {} : { port: Number(portText) }),
      log: say,
    });
    io.stdout.write(`ecflow-remote demo UI: ${ui.url}\n`);
    say(`try it from a shell too: ecflow-remote client --host=${demo.host} --port=${demo.port} --get_state`);
    const tty = (io.stdout as { isTTY?: boolean }).isTTY === true; // open a browser only for a person at a terminal
    if (!args.flags.has('no-open') && tty && !(await openBrowser(ui.url))) say('could not open a browser: open the address above yourself');
    await new Promise<void>((resolve) => {
      const done = () => {
        process.off('SIGINT', done);
        process.off('SIGTERM', done);
        resolve();
      };
      process.on('SIGINT', done);
      process.on('SIGTERM', done);
      signal?.addEventListener('abort', done, { once: true });
    });
    say('stopping');
    await ui.close();
    return ExitCode.OK;
  } catch (e) {
    io.stderr.write(`ecflow-remote demo: ${e instanceof Error ? e.message : String(e)}\n`);
    return exitCodeFor(e);
  } finally {
    await stopDemo?.();
  }
}

export { helpText };
