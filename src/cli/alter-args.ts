/**
 * `--alter=<op> <type> [name] [value] <paths...>` in ecflow_client's syntax -> AlterCmd
 * (ecflow-protocol.md §4.4). Unlike the C++ client, the number of name/value tokens is known per
 * (op, type), so a value that starts with '/' is not mistaken for a path.
 */
import { EcflowError, ErrorCode } from '../errors.js';
import { AlterAdd, AlterChange, AlterDelete, FLAG_TEXT_NAMES, type AlterCmd, type Flag } from '../protocol/commands.js';

type Arity = { min: number; max: number };

const ADD: Record<string, [AlterAdd, Arity]> = {
  variable: [AlterAdd.ADD_VARIABLE, { min: 2, max: 2 }],
  time: [AlterAdd.ADD_TIME, { min: 1, max: 1 }],
  today: [AlterAdd.ADD_TODAY, { min: 1, max: 1 }],
  date: [AlterAdd.ADD_DATE, { min: 1, max: 1 }],
  day: [AlterAdd.ADD_DAY, { min: 1, max: 1 }],
  zombie: [AlterAdd.ADD_ZOMBIE, { min: 1, max: 1 }],
  late: [AlterAdd.ADD_LATE, { min: 1, max: 1 }],
  limit: [AlterAdd.ADD_LIMIT, { min: 2, max: 2 }],
  inlimit: [AlterAdd.ADD_INLIMIT, { min: 1, max: 2 }],
  label: [AlterAdd.ADD_LABEL, { min: 2, max: 2 }],
  event: [AlterAdd.ADD_EVENT, { min: 1, max: 2 }],
  meter: [AlterAdd.ADD_METER, { min: 2, max: 2 }],
  aviso: [AlterAdd.ADD_AVISO, { min: 2, max: 2 }],
  mirror: [AlterAdd.ADD_MIRROR, { min: 2, max: 2 }],
};

const DELETE: Record<string, [AlterDelete, Arity]> = {
  variable: [AlterDelete.DEL_VARIABLE, { min: 0, max: 1 }],
  time: [AlterDelete.DEL_TIME, { min: 0, max: 1 }],
  today: [AlterDelete.DEL_TODAY, { min: 0, max: 1 }],
  date: [AlterDelete.DEL_DATE, { min: 0, max: 1 }],
  day: [AlterDelete.DEL_DAY, { min: 0, max: 1 }],
  cron: [AlterDelete.DEL_CRON, { min: 0, max: 1 }],
  event: [AlterDelete.DEL_EVENT, { min: 0, max: 1 }],
  meter: [AlterDelete.DEL_METER, { min: 0, max: 1 }],
  label: [AlterDelete.DEL_LABEL, { min: 0, max: 1 }],
  trigger: [AlterDelete.DEL_TRIGGER, { min: 0, max: 0 }],
  complete: [AlterDelete.DEL_COMPLETE, { min: 0, max: 0 }],
  repeat: [AlterDelete.DEL_REPEAT, { min: 0, max: 0 }],
  limit: [AlterDelete.DEL_LIMIT, { min: 0, max: 1 }],
  limit_path: [AlterDelete.DEL_LIMIT_PATH, { min: 2, max: 2 }],
  inlimit: [AlterDelete.DEL_INLIMIT, { min: 0, max: 1 }],
  zombie: [AlterDelete.DEL_ZOMBIE, { min: 0, max: 1 }],
  late: [AlterDelete.DEL_LATE, { min: 0, max: 0 }],
  queue: [AlterDelete.DEL_QUEUE, { min: 0, max: 1 }],
  generic: [AlterDelete.DEL_GENERIC, { min: 0, max: 1 }],
  aviso: [AlterDelete.DEL_AVISO, { min: 0, max: 1 }],
  mirror: [AlterDelete.DEL_MIRROR, { min: 0, max: 1 }],
};

const CHANGE: Record<string, [AlterChange, Arity]> = {
  variable: [AlterChange.VARIABLE, { min: 2, max: 2 }],
  clock_type: [AlterChange.CLOCK_TYPE, { min: 1, max: 1 }],
  clock_date: [AlterChange.CLOCK_DATE, { min: 1, max: 1 }],
  clock_gain: [AlterChange.CLOCK_GAIN, { min: 1, max: 1 }],
  clock_sync: [AlterChange.CLOCK_SYNC, { min: 0, max: 0 }],
  event: [AlterChange.EVENT, { min: 1, max: 2 }],
  meter: [AlterChange.METER, { min: 2, max: 2 }],
  label: [AlterChange.LABEL, { min: 2, max: 2 }],
  trigger: [AlterChange.TRIGGER, { min: 1, max: 1 }],
  complete: [AlterChange.COMPLETE, { min: 1, max: 1 }],
  repeat: [AlterChange.REPEAT, { min: 1, max: 1 }],
  limit_max: [AlterChange.LIMIT_MAX, { min: 2, max: 2 }],
  limit_value: [AlterChange.LIMIT_VAL, { min: 2, max: 2 }],
  defstatus: [AlterChange.DEFSTATUS, { min: 1, max: 1 }],
  late: [AlterChange.LATE, { min: 1, max: 1 }],
  time: [AlterChange.TIME, { min: 2, max: 2 }],
  today: [AlterChange.TODAY, { min: 2, max: 2 }],
  aviso: [AlterChange.AVISO, { min: 2, max: 2 }],
  mirror: [AlterChange.MIRROR, { min: 2, max: 2 }],
};

const SORTABLE = new Set(['event', 'meter', 'label', 'variable', 'limit', 'all']);

/** Flag text name -> bit, including ecflow_client's alternative spelling `complete`. */
function flagByName(name: string): Flag | undefined {
  for (const [bit, text] of Object.entries(FLAG_TEXT_NAMES)) if (text === name) return Number(bit) as Flag;
  return undefined;
}

function usage(message: string): EcflowError {
  return new EcflowError(ErrorCode.INVALID_ARGUMENT, `--alter: ${message}`);
}

/**
 * @example
 * alterFromArgs(['change', 'label', 'lab1', 'new value', '/s1/f1/t1'])
 * // { cmd: 'AlterCmd', paths: ['/s1/f1/t1'], changeAttrType: 6, name: 'lab1', value: 'new value' }
 */
export function alterFromArgs(values: readonly string[]): AlterCmd {
  const [op, type, ...rest] = values;
  if (op === undefined) throw usage('expected one of add | delete | change | set_flag | clear_flag | sort');
  if (type === undefined) throw usage(`'${op}' needs an attribute type`);
  const split = (arity: Arity): { args: string[]; paths: string[] } => {
    // Take the mandatory tokens, then optional ones while they do not look like node paths.
    let n = Math.min(arity.min, rest.length);
    while (n < arity.max && n < rest.length && !rest[n]!.startsWith('/')) n++;
    const args = rest.slice(0, n);
    const paths = rest.slice(n);
    if (args.length < arity.min) throw usage(`'${op} ${type}' needs ${arity.min} value(s) before the paths`);
    if (paths.length === 0) throw usage('at least one node path is required (use / for server variables)');
    const bad = paths.find((p) => !p.startsWith('/'));
    if (bad !== undefined) throw usage(`node paths must start with '/': '${bad}'`);
    return { args, paths };
  };
  const named = (args: string[]): { name?: string; value?: string } => ({
    ...(args[0] === undefined ? {} : { name: args[0] }),
    ...(args[1] === undefined ? {} : { value: args[1] }),
  });
  switch (op) {
    case 'add': {
      const entry = ADD[type];
      if (!entry) throw usage(`cannot add '${type}'; expected one of ${Object.keys(ADD).join(' | ')}`);
      const { args, paths } = split(entry[1]);
      return { cmd: 'AlterCmd', paths, addAttrType: entry[0], ...named(args) };
    }
    case 'delete': {
      const entry = DELETE[type];
      if (!entry) throw usage(`cannot delete '${type}'; expected one of ${Object.keys(DELETE).join(' | ')}`);
      const { args, paths } = split(entry[1]);
      return { cmd: 'AlterCmd', paths, delAttrType: entry[0], ...named(args) };
    }
    case 'change': {
      const entry = CHANGE[type];
      if (!entry) throw usage(`cannot change '${type}'; expected one of ${Object.keys(CHANGE).join(' | ')}`);
      const { args, paths } = split(entry[1]);
      return { cmd: 'AlterCmd', paths, changeAttrType: entry[0], ...named(args) };
    }
    case 'set_flag':
    case 'clear_flag': {
      const flag = flagByName(type === 'complete' ? 'by_rule' : type);
      if (flag === undefined) throw usage(`unknown flag '${type}'`);
      const { paths } = split({ min: 0, max: 0 });
      return { cmd: 'AlterCmd', paths, flagType: flag, flag: op === 'set_flag' };
    }
    case 'sort': {
      if (!SORTABLE.has(type)) throw usage(`cannot sort '${type}'; expected one of ${[...SORTABLE].join(' | ')}`);
      const { args, paths } = split({ min: 0, max: 1 });
      if (args[0] !== undefined && args[0] !== 'recursive') throw usage(`sort takes 'recursive' or nothing, got '${args[0]}'`);
      return { cmd: 'AlterCmd', paths, name: type, value: args[0] ?? '' };
    }
    default:
      throw usage(`unknown operation '${op}'; expected add | delete | change | set_flag | clear_flag | sort`);
  }
}
