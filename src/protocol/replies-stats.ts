/**
 * `SStatsCmd.stats_` (ecflow-protocol.md §5): the server's `Stats` object, 82 unnamed values
 * `value0…value81` in a fixed order (5.9.2 `Stats::serialize`), plus since 5.16 (class version 1)
 * an optional `value82`, a unique_ptr to the process resources: a list of
 * `{value0: name, value1: {index, data}, value2: unit}` (ecflow-protocol-5.17.md §4).
 *
 * Pure module: no Node or DOM types.
 */

import { EcflowError, ErrorCode } from '../errors.js';
import type { CheckPtMode, SState } from './commands-enums.js';

/**
 * The request counters, `value17…value81` in order, named after the C++ members in camelCase.
 *
 * @example
 * STATS_REQUEST_COUNTERS[0]; // 'serverVersion' (value17)
 */
export const STATS_REQUEST_COUNTERS = [
  'serverVersion',
  'restartServer',
  'shutdownServer',
  'haltServer',
  'reloadWhiteListFile',
  'reloadPasswdFile',
  'ping',
  'debugServerOn',
  'debugServerOff',
  'getDefs',
  'sync',
  'syncFull',
  'syncClock',
  'news',
  'nodeJobGen',
  'nodeCheckJobGenOnly',
  'nodeDelete',
  'nodeSuspend',
  'nodeResume',
  'nodeKill',
  'nodeStatus',
  'nodeEditHistory',
  'nodeArchive',
  'nodeRestore',
  'logCmd',
  'logMsgCmd',
  'beginCmd',
  'taskInit',
  'taskComplete',
  'taskWait',
  'taskAbort',
  'taskEvent',
  'taskMeter',
  'taskLabel',
  'taskQueue',
  'zombieFob',
  'zombieFail',
  'zombieAdopt',
  'zombieRemove',
  'zombieGet',
  'zombieBlock',
  'zombieKill',
  'requeueNode',
  'orderNode',
  'runNode',
  'loadDefs',
  'replace',
  'force',
  'freeDep',
  'suites',
  'editScript',
  'alterCmd',
  'chCmd',
  'fileEcf',
  'fileJob',
  'fileJobout',
  'fileCmdout',
  'fileManual',
  'plug',
  'move',
  'groupCmd',
  'serverLoadCmd',
  'stats',
  'check',
  'query',
] as const;
export type StatsRequestCounter = (typeof STATS_REQUEST_COUNTERS)[number];

/** One server process resource (5.16+), e.g. `{name: 'resident_memory_used', value: 15932, unit: 'MB'}`. */
export interface ServerResource {
  name: string;
  value: number;
  unit: string;
}

/** The structured server statistics (`CtsCmd` STATS_SERVER). */
export interface ServerStats {
  /** value0 */ status: SState;
  /** value1 */ lockedByUser: string;
  /** value2 */ host: string;
  /** value3 */ port: string;
  /** value4, e.g. '2026-Nov-26 07:12:28' */ upSince: string;
  /** value5, the long version text */ version: string;
  /** value6, seconds */ jobSubInterval: number;
  /** value7, seconds */ checkptInterval: number;
  /** value8, seconds */ checkptSaveTimeAlarm: number;
  /** value9 */ checkptMode: CheckPtMode;
  /** value10 */ noOfSuites: number;
  /** value11, requests per 1,5,15,30,60 min as text */ requestStats: string;
  /** value12 */ ecfHome: string;
  /** value13 */ ecfCheck: string;
  /** value14 */ ecfLog: string;
  /** value15, e.g. 'disabled' */ ecfSsl: string;
  /** value16, number of checkpoints written */ checkpt: number;
  /** value17…value81 */ requests: Record<StatsRequestCounter, number>;
  /** value82 (5.16+): the server process resources; undefined for older servers. */
  resources?: ServerResource[];
}

type Scalar = 'number' | 'string';
const HEAD: readonly (readonly [Exclude<keyof ServerStats, 'requests' | 'resources'>, Scalar])[] = [
  ['status', 'number'],
  ['lockedByUser', 'string'],
  ['host', 'string'],
  ['port', 'string'],
  ['upSince', 'string'],
  ['version', 'string'],
  ['jobSubInterval', 'number'],
  ['checkptInterval', 'number'],
  ['checkptSaveTimeAlarm', 'number'],
  ['checkptMode', 'number'],
  ['noOfSuites', 'number'],
  ['requestStats', 'string'],
  ['ecfHome', 'string'],
  ['ecfCheck', 'string'],
  ['ecfLog', 'string'],
  ['ecfSsl', 'string'],
  ['checkpt', 'number'],
];

function fail(message: string): never {
  throw new EcflowError(ErrorCode.DECODE, `SStatsCmd reply: ${message}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function value(stats: Record<string, unknown>, index: number, type: Scalar): unknown {
  const v = stats[`value${index}`];
  if (typeof v !== type) fail(`stats_.value${index} should be a ${type} but is ${v === undefined ? 'missing' : typeof v}`);
  return v;
}

/**
 * Decode `stats_` as produced by `readCereal` (so `value82` is already unwrapped).
 * Throws EcflowError(DECODE) when a value is missing or of the wrong type.
 *
 * @example
 * decodeStats(readCereal(json).stats_).requests.ping; // 3
 */
export function decodeStats(stats: Record<string, unknown>): ServerStats {
  const out: Record<string, unknown> = {};
  HEAD.forEach(([name, type], i) => {
    out[name] = value(stats, i, type);
  });
  const requests: Record<string, number> = {};
  STATS_REQUEST_COUNTERS.forEach((name, i) => {
    requests[name] = value(stats, HEAD.length + i, 'number') as number;
  });
  out['requests'] = requests;
  const resources = decodeResources(stats[`value${HEAD.length + STATS_REQUEST_COUNTERS.length}`]);
  if (resources !== undefined) out['resources'] = resources;
  return out as unknown as ServerStats;
}

function decodeResources(raw: unknown): ServerResource[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw) || !Array.isArray(raw['value0'])) fail('stats_.value82 (resources) should hold a list');
  return (raw['value0'] as unknown[]).map((item, i) => {
    const where = `stats_.value82[${i}]`;
    if (!isObject(item)) fail(`${where} is not an object`);
    const name = item['value0'];
    const variant = item['value1'];
    const unit = item['value2'];
    if (typeof name !== 'string') fail(`${where}: the name (value0) is not a string`);
    const data = isObject(variant) ? variant['data'] : variant;
    if (typeof data !== 'number') fail(`${where} (${name}): the value (value1.data) is not a number`);
    return { name, value: data, unit: typeof unit === 'string' ? unit : '' };
  });
}
