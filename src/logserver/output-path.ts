/**
 * Where a task's job output is, and which log server serves it, computed from a synced model.
 *
 * ECF_JOBOUT is a generated variable: the server does not send it (ecflow-protocol.md §16.10), so
 * it is computed here the way ecflow_server does (SubGenVariables, checked in ecFlow's source):
 *
 *   ECF_JOBOUT = <ECF_OUT, %-substituted, if set and non-empty, else ECF_HOME> + <node path> + "." + <try>
 *
 * with ECF_OUT and ECF_HOME looked up as user variables from the node up to the server. A user
 * variable ECF_JOBOUT on the node itself wins over the generated one (a node's own user variables
 * come before its generated ones; one on an ancestor does not). The output of try N lives at the
 * same path with `.<N>` as the last extension.
 *
 * The log server (ecflow_ui VNode::logServer): a configured override, else the inherited
 * ECF_LOGHOST and ECF_LOGPORT, skipped when the host still contains the ECF_MICRO character.
 *
 * Pure module: no Node or DOM types.
 */

import { EcflowError, ErrorCode } from '../errors.js';
import { Family, Submittable, Suite, type Node } from '../model/node.js';
import { RepeatKind } from '../model/repeat.js';

/** ecFlow's default ECF_MICRO. */
export const DEFAULT_ECF_MICRO = '%';

/** The value of `name` as ecflow_server sees it from `node` (user, repeat, then generated, upwards). */
export function variableValue(node: Node, name: string): string | undefined {
  for (let n: Node | undefined = node; n !== undefined; n = n.parent) {
    const v = n.findVariable(name);
    if (v !== undefined) return v.value;
    const r = n.repeat;
    if (r !== undefined && r.name === name) {
      const value = repeatValue(r.kind, r.value, r.strings, r.numbers);
      if (value !== undefined) return value;
    }
    const g = generatedVariable(n, name);
    if (g !== undefined) return g;
  }
  return node.suite?.defs?.findServerVariable(name)?.value;
}

/** A user variable (no generated ones) from `node` up to the server. */
function userVariable(node: Node, name: string): string | undefined {
  return node.findInheritedVariable(name)?.value;
}

/** The ECF_MICRO character in force at `node` ('%' by default). */
export function microOf(node: Node): string {
  const m = variableValue(node, 'ECF_MICRO');
  return m !== undefined && m.length === 1 ? m : DEFAULT_ECF_MICRO;
}

/**
 * `%NAME%` references replaced by their values seen from `node` (`%NAME:default%` too; `%%` is a
 * literal `%`). References that do not resolve stay as they are, so a caller can tell (a value
 * still holding the micro character). Values holding references are substituted again (at most 10
 * rounds, like a server guards against loops).
 *
 * @example substituteVariables(task, '%ECF_HOME%/out') // '/home/ops/ecf_home/out'
 */
export function substituteVariables(node: Node, text: string, micro = microOf(node)): string {
  if (!text.includes(micro)) return text;
  const m = escapeRegExp(micro);
  const ref = new RegExp(`${m}${m}|${m}([A-Za-z0-9_]+)(?::([^${m}\\n]*))?${m}`, 'g');
  let current = text;
  for (let round = 0; round < 10; round++) {
    let changed = false;
    const next = current.replace(ref, (whole: string, name: string | undefined, dflt: string | undefined) => {
      if (name === undefined) return whole; // %% handled after the last round
      const v = variableValue(node, name) ?? dflt;
      if (v === undefined) return whole;
      changed = true;
      return v;
    });
    current = next;
    if (!changed) break;
  }
  return current.split(micro + micro).join(micro);
}

/**
 * The job output path of a task or alias for try `tryNo` (default: its current try). For try 0
 * (never submitted) the path ends in `.0`, like ecflow_server's ECF_JOBOUT.
 *
 * @example jobOutputPath(defs.findNode('/s1/f1/t1') as Task)     // '/home/ops/ecf_home/s1/f1/t1.1'
 * @example jobOutputPath(task, 2)                                 // '/home/ops/ecf_home/s1/f1/t1.2'
 */
export function jobOutputPath(node: Submittable, tryNo = node.tryNo): string {
  checkTryNo(tryNo);
  const current = currentJobOutputPath(node);
  return tryNo === node.tryNo ? current : withTryNo(current, node.tryNo, tryNo);
}

/** The current ECF_JOBOUT of `node` (what the server would generate now, or the node's own user variable). */
export function currentJobOutputPath(node: Submittable): string {
  // ECF_OUT or ECF_JOBOUT referring to %ECF_JOBOUT% would recurse for ever: stop at the second visit.
  if (computing.has(node)) return '';
  computing.add(node);
  try {
    return computeJobOutputPath(node);
  } finally {
    computing.delete(node);
  }
}

const computing = new Set<Submittable>();

function computeJobOutputPath(node: Submittable): string {
  const own = node.findVariable('ECF_JOBOUT');
  if (own !== undefined) return substituteVariables(node, own.value);
  const out = userVariable(node, 'ECF_OUT');
  // ecflow_server substitutes ECF_OUT with '%' whatever ECF_MICRO says.
  const base = out !== undefined && out !== '' ? substituteVariables(node, out, '%') : (userVariable(node, 'ECF_HOME') ?? '');
  return `${base}${node.path}.${node.tryNo}`;
}

/**
 * `path` with its trailing `.<from>` replaced by `.<to>`. A path that does not end in `.<from>`
 * (a user-defined ECF_JOBOUT) gets `.<to>` replacing its last numeric extension, if any.
 */
export function withTryNo(path: string, from: number, to: number): string {
  checkTryNo(to);
  const suffix = `.${from}`;
  if (path.endsWith(suffix)) return path.slice(0, -suffix.length) + `.${to}`;
  const m = /\.\d+$/.exec(path);
  if (m !== null) return path.slice(0, m.index) + `.${to}`;
  throw new EcflowError(
    ErrorCode.INVALID_ARGUMENT,
    `job output path '${path}' has no try number extension: cannot name the output of try ${to}`,
  );
}

/** The try number at the end of a job output file name (`t1.3` → 3), or undefined. */
export function tryNoOfPath(path: string, stem: string): number | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (!base.startsWith(stem + '.')) return undefined;
  const rest = base.slice(stem.length + 1);
  return /^\d+$/.test(rest) ? Number(rest) : undefined;
}

/** Where a log server is, and where that came from. */
export interface LogServerLocation {
  readonly host: string;
  readonly port: number;
  /** 'configured' (the override given by our config) or 'variables' (ECF_LOGHOST/ECF_LOGPORT). */
  readonly from: 'configured' | 'variables';
}

/** No log server for this node, and why (for the attempts list). */
export interface NoLogServer {
  readonly reason: string;
}

/**
 * The log server for `node`: `override` when given, else the inherited ECF_LOGHOST/ECF_LOGPORT
 * (substituted); none when either is missing, the host still holds the ECF_MICRO character, or
 * the port is not a number.
 *
 * @example logServerFor(task) // { host: 'logserver1', port: 9316, from: 'variables' }
 */
export function logServerFor(
  node: Node,
  override?: { readonly host: string; readonly port: number },
): LogServerLocation | NoLogServer {
  if (override !== undefined) return { host: override.host, port: override.port, from: 'configured' };
  const rawHost = variableValue(node, 'ECF_LOGHOST');
  const rawPort = variableValue(node, 'ECF_LOGPORT');
  if (rawHost === undefined || rawHost.trim() === '' || rawPort === undefined || rawPort.trim() === '') {
    return { reason: 'no log server configured: ECF_LOGHOST/ECF_LOGPORT are not defined for this node' };
  }
  const micro = microOf(node);
  const host = substituteVariables(node, rawHost, micro).trim();
  const portText = substituteVariables(node, rawPort, micro).trim();
  if (host.includes(micro)) {
    return { reason: `log server skipped: ECF_LOGHOST '${rawHost}' is not fully substituted ('${host}')` };
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    return { reason: `log server skipped: ECF_LOGPORT '${rawPort}' is not a port number` };
  }
  return { host, port, from: 'variables' };
}

/** True for a {@link logServerFor} result that names a log server. */
export function isLogServerLocation(x: LogServerLocation | NoLogServer): x is LogServerLocation {
  return (x as LogServerLocation).host !== undefined;
}

/** Generated variables this model can compute for a node (a subset of the server's). */
function generatedVariable(n: Node, name: string): string | undefined {
  if (n instanceof Submittable) {
    switch (name) {
      case 'ECF_NAME':
        return n.path;
      case 'TASK':
        return n.kind === 'alias' && n.parent !== undefined ? n.parent.name : n.name;
      case 'ECF_TRYNO':
        return String(n.tryNo);
      case 'ECF_RID':
        return n.rid;
      case 'ECF_PASS':
        return n.jobsPassword;
      case 'ECF_JOBOUT':
        return currentJobOutputPath(n);
      case 'ECF_JOB':
        return `${userVariable(n, 'ECF_HOME') ?? ''}${n.path}.job${n.tryNo}`;
      default:
        return undefined;
    }
  }
  if (n instanceof Family && name === 'FAMILY') return n.path.slice(n.path.indexOf('/', 1) + 1);
  if (n instanceof Family && name === 'FAMILY1') return n.name;
  if (n instanceof Suite && name === 'SUITE') return n.name;
  return undefined;
}

function repeatValue(
  kind: RepeatKind,
  value: number,
  strings: readonly string[] | undefined,
  numbers: readonly number[] | undefined,
): string | undefined {
  switch (kind) {
    case RepeatKind.INTEGER:
    case RepeatKind.DATE:
      return String(value);
    case RepeatKind.STRING:
    case RepeatKind.ENUMERATED:
      return strings?.[value];
    case RepeatKind.DATELIST:
      return numbers?.[value] === undefined ? undefined : String(numbers[value]);
    default:
      return undefined; // day/datetime need the server's formatting
  }
}

function checkTryNo(tryNo: number): void {
  if (!Number.isSafeInteger(tryNo) || tryNo < 0) {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `try number must be an integer >= 0, got ${String(tryNo)}`);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
