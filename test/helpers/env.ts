/**
 * Environments for the real programs started by tests: the test's own environment without
 * ecFlow variables (a developer's ECF_HOST/ECF_SSL/ECF_USER must not leak in), with a locale that
 * exists everywhere, plus patches where `undefined` removes a variable.
 *
 * @example
 *   const env = applyEnv(cleanEnv(), { HOME: home, ECF_SSL: undefined });
 */

/** Environment additions; `undefined` removes a variable. */
export type EnvPatch = Record<string, string | undefined>;

/** process.env without ECF_* (a developer's ECF_HOST/ECF_SSL must not leak into tests). */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ECF_') && v !== undefined) env[k] = v;
  // ecflow_server's --help warns that it aborts on start-up with an invalid locale; C.UTF-8
  // always exists on Debian (glibc built-in).
  env['LANG'] = 'C.UTF-8';
  delete env['LC_ALL'];
  delete env['LANGUAGE'];
  return env;
}

/** A copy of `base` with `patch` applied (`undefined` values delete the variable). */
export function applyEnv(base: NodeJS.ProcessEnv, patch: EnvPatch | undefined): NodeJS.ProcessEnv {
  const env = { ...base };
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}
