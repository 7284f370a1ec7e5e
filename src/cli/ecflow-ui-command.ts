/**
 * `ecflow-remote ecflow-ui [--config=F] [--confd=DIR] [--proxychains] [--login-name=NAME] [-- ecflow_ui args]`:
 * the real Qt ecflow_ui with the servers of the config, through local forwards of their routes.
 * Thin over src/ecflow-ui (launch.ts).
 */
import { loadConfig } from '../config/config.js';
import { EcflowError, ErrorCode } from '../errors.js';
import { ECFLOW_UI_ENV, runEcflowUi } from '../ecflow-ui/launch.js';
import type { CliIo } from './client-command.js';
import { parseCommandArgs, type OptionSpec } from './command-args.js';
import { exitCodeFor, ExitCode } from './exit-codes.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'config', value: 'FILE', summary: 'config file (default: ECFLOW_REMOTE_CONFIG, else ~/.config/ecflow-remote/config.toml)' },
  { name: 'confd', value: 'DIR', summary: "ecflow_ui's config directory (default: ecflow-ui/ next to the config file; kept between runs)" },
  { name: 'proxychains', summary: 'ecflow_ui under proxychains4 (real host names) if a 10 s self-test passes, else the forwards' },
  { name: 'login-name', value: 'NAME', summary: "the login name ecflow_ui sends (for remote_user; needs libnss-wrapper, one name for all servers)" },
  { name: 'help', summary: 'this help' },
];

const USAGE =
  'Usage: ecflow-remote ecflow-ui [options] [-- ecflow_ui arguments]\n' +
  "Start ecFlow's own ecflow_ui with the servers of the config, reached through local forwards of their routes.\n\n" +
  'It writes into the ecflow_ui config directory (0700, ecflow_ui -confd DIR):\n' +
  '  servers.txt                          one line per server: localhost and a forwarded port for servers\n' +
  '                                       behind a route, else the real host; favourite, SSL, custom user\n' +
  '  <session>.session/<server>.conf.json the custom log server: a forward to the configured logserver, else\n' +
  "                                       to the ECF_LOGHOST/ECF_LOGPORT most of the server's tasks use\n" +
  '  <session>.session/session.json       on the first run only: one tab with all servers\n' +
  'Passwords of custom users (password_file, else ECF_CUSTOM_PASSWD) go into a 0600 file in a private\n' +
  'per-run folder, named by ECF_CUSTOM_PASSWD for ecflow_ui and removed when it exits.\n' +
  'The forwards use the running `ecflow-remote up` when there is one, else routes started here; they\n' +
  'are closed when ecflow_ui exits.\n\n' +
  "Limitation: ecflow_ui always sends the local login name (or a custom user with a password), so a\n" +
  "server's remote_user cannot be used, unless --login-name=NAME (LD_PRELOAD of libnss_wrapper).\n" +
  `${ECFLOW_UI_ENV}=PROGRAM runs another program instead of ecflow_ui.\n`;

export async function runEcflowUiCommand(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  try {
    const dashDash = argv.indexOf('--');
    const own = dashDash === -1 ? argv : argv.slice(0, dashDash);
    const extraArgs = dashDash === -1 ? [] : argv.slice(dashDash + 1);
    const args = parseCommandArgs(own, OPTIONS, USAGE);
    if ('help' in args) {
      io.stdout.write(args.help);
      return ExitCode.OK;
    }
    if (args.positionals.length > 0) {
      throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `unexpected argument '${args.positionals[0]}' (arguments for ecflow_ui go after --)`);
    }
    const configPath = args.values.get('config');
    const config = await loadConfig({ env: io.env, ...(configPath === undefined ? {} : { path: configPath }) });
    const confd = args.values.get('confd');
    const loginName = args.values.get('login-name');
    return await runEcflowUi({
      config,
      env: io.env,
      stderr: io.stderr,
      proxychains: args.flags.has('proxychains'),
      extraArgs,
      ...(confd === undefined ? {} : { confd }),
      ...(loginName === undefined ? {} : { loginName }),
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (e) {
    io.stderr.write(`ecflow-remote ecflow-ui: ${e instanceof Error ? e.message : String(e)}\n`);
    return exitCodeFor(e);
  }
}
