/**
 * ecflow_client's argument syntax (boost::program_options style), so scripts carry over:
 *   --name            an option with no value
 *   --name=value      the first value glued with '='
 *   --name v1 v2 ...  further values: every following token that does not start with '--'
 * e.g. `--force=complete recursive /s1/f1`, `--alter=add variable X "v" /s1`, `--log=get 5`.
 * A token `--` ends option parsing; everything after it is a plain value of the last option.
 */

export interface ParsedOption {
  /** Option name without the leading dashes, e.g. 'force'. */
  name: string;
  /** Values in order: the `=value` part first, then the following plain tokens. */
  values: string[];
  /** True when the value was glued with '=' (`--get=/s1` vs `--get /s1`). */
  glued: boolean;
}

export interface ParsedArgv {
  options: ParsedOption[];
  /** Plain tokens that came before any option. */
  leading: string[];
}

/**
 * @example
 * parseArgv(['--port=3141', '--force=complete', 'recursive', '/s1'])
 * // { leading: [], options: [{name:'port', values:['3141'], glued:true},
 * //                          {name:'force', values:['complete','recursive','/s1'], glued:true}] }
 */
export function parseArgv(argv: readonly string[]): ParsedArgv {
  const options: ParsedOption[] = [];
  const leading: string[] = [];
  let current: ParsedOption | undefined;
  let rest = false;
  for (const token of argv) {
    if (!rest && token === '--') {
      rest = true;
      continue;
    }
    if (!rest && token.startsWith('--') && token.length > 2) {
      const eq = token.indexOf('=');
      const name = eq === -1 ? token.slice(2) : token.slice(2, eq);
      current = { name, values: eq === -1 ? [] : [token.slice(eq + 1)], glued: eq !== -1 };
      options.push(current);
      continue;
    }
    if (current === undefined) leading.push(token);
    else current.values.push(token);
  }
  return { options, leading };
}
