/**
 * Config text → typed configuration, or ONE EcflowConfigError naming file, line and key: TOML
 * syntax errors from smol-toml (file:line:column), then the checks of config-validate.ts, of
 * which the first in file order is reported (lines from toml-locate.ts; a missing required key
 * only when nothing else is wrong, since a misspelt key explains it better).
 */

import { dirname, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { EcflowConfigError, formatKeyPath } from './config-errors.js';
import type { EcflowRemoteConfig } from './config-types.js';
import { validateConfig, type ConfigIssue } from './config-validate.js';
import { KeyLocator } from './toml-locate.js';

/**
 * Check a config text. `file` names it in messages; relative paths in it are taken against
 * `baseDir` (default: the folder of `file`).
 *
 * @example
 * parseConfig('[servers.op]\nhost = "machine1"\nport = 4141\n', '/etc/x.toml').servers['op']?.port // 4141
 */
export function parseConfig(text: string, file: string, options: { baseDir?: string; homedir?: string } = {}): EcflowRemoteConfig {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  let doc: Record<string, unknown>;
  try {
    doc = parse(body, { integersAsBigInt: true, unsafeKeyBehaviour: 'keep' });
  } catch (e) {
    if (e instanceof TomlError) {
      const what = (e.message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/, '');
      throw new EcflowConfigError({ file, line: e.line, column: e.column }, `TOML syntax error: ${what}`, { cause: e });
    }
    throw new EcflowConfigError({ file }, `cannot parse the file: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const { config, issues } = validateConfig(doc, {
    baseDir: options.baseDir ?? dirname(resolve(file)),
    ...(options.homedir === undefined ? {} : { homedir: options.homedir }),
  });
  if (issues.length === 0) return config;
  const locator = new KeyLocator(body);
  // the first mistake in file order; missing keys only when nothing else is wrong
  const rank = (issue: ConfigIssue, line: number) => (issue.missing === true ? 1e9 : 0) + line;
  let first = issues[0];
  let firstLine = Number.POSITIVE_INFINITY;
  let firstRank = Number.POSITIVE_INFINITY;
  for (const issue of issues) {
    const line = locator.line(issue.path);
    if (rank(issue, line) < firstRank) {
      first = issue;
      firstLine = line;
      firstRank = rank(issue, line);
    }
  }
  if (first === undefined) return config;
  return throwIssue(file, firstLine, first.path, first.text);
}

function throwIssue(file: string, line: number, path: readonly (string | number)[], text: string): never {
  throw new EcflowConfigError({ file, line, ...(path.length === 0 ? {} : { key: formatKeyPath(path) }) }, text);
}
