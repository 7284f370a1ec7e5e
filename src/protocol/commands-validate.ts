/**
 * Checks a command before it is sent. The 5.9.2 server aborts on an out-of-range `api_`
 * (ecflow-protocol.md §4.2, §16.2) and dies on SYNC_FULL with an unknown client handle (§7.2,
 * §16.1; still present in 5.17, ecflow-protocol-5.17.md §2.3), so every enum is range-checked and
 * SYNC_FULL must carry handle 0. The checks are done at run time too, because commands may arrive
 * from untyped code (the browser, JSON).
 *
 * Pure module: no Node or DOM types.
 */

import { EcflowError, ErrorCode } from '../errors.js';
import { SyncApi, enumName } from './commands-enums.js';
import { COMMAND_LAYOUTS, isCommandName, isTaskCommandName } from './commands-layout.js';
import type { FieldLayout, FieldType } from './commands-layout.js';
import type { Command, RequestIdentity, TaskIdentity } from './commands-types.js';

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;
const UINT_MAX = 0xffffffff;

function invalid(message: string): never {
  throw new EcflowError(ErrorCode.INVALID_ARGUMENT, message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Throws EcflowError(INVALID_ARGUMENT) unless `cmd` is a well-formed command that is safe to send:
 * known `cmd` name, required fields present, every field of the right type, every enum in range
 * (and not a never-send value such as `CtsCmd` NO_CMD), and no crash hazard:
 *  - `CSyncCmd` SYNC_FULL must carry client handle 0. To get a handle's full defs, send the group
 *    `[ClientHandleCmd REGISTER, CSyncCmd SYNC_FULL(handle 0)]`: the server puts the new handle
 *    into the sync itself (§4.1, §9.1).
 *  - `GroupCTSCmd` needs at least one child and no nested group.
 *
 * @example
 * validateCommand({ cmd: 'CtsCmd', api: CtsApi.PING }); // ok
 * validateCommand({ cmd: 'CtsCmd', api: 99 as CtsApi }); // throws INVALID_ARGUMENT
 */
export function validateCommand(cmd: Command): void {
  checkCommand(cmd, 'command', false);
}

function checkCommand(cmd: unknown, where: string, inGroup: boolean): void {
  if (!isObject(cmd)) invalid(`${where} must be an object, got ${describeValue(cmd)}`);
  const name = cmd['cmd'];
  if (!isCommandName(name)) invalid(`${where}: unknown command ${describeValue(name)}`);
  const layout = COMMAND_LAYOUTS[name] as readonly FieldLayout[];
  for (const f of layout) {
    const value = cmd[f.field];
    if (value === undefined) {
      if (f.default === undefined) invalid(`${name}: ${f.field} is required`);
      continue;
    }
    checkField(name, f.field, f.type, value);
  }
  if (name === 'CSyncCmd') {
    const handle = cmd['clientHandle'] ?? 0;
    if (cmd['api'] === SyncApi.SYNC_FULL && handle !== 0) {
      invalid(
        `CSyncCmd SYNC_FULL with client handle ${String(handle)} is refused: a handle the server does not know ` +
          'kills the server. Send SYNC_FULL with handle 0, or the group [ClientHandleCmd REGISTER, ' +
          'CSyncCmd SYNC_FULL(handle 0)] to get the full defs of a handle',
      );
    }
  }
  if (name === 'GroupCTSCmd') {
    if (inGroup) invalid('GroupCTSCmd cannot contain another GroupCTSCmd');
    const children = cmd['children'] as unknown[];
    if (children.length === 0) invalid('GroupCTSCmd needs at least one child command');
    children.forEach((child, i) => {
      if (isObject(child) && typeof child['cmd'] === 'string' && isTaskCommandName(child['cmd'])) {
        invalid(`GroupCTSCmd child ${i}: task command ${child['cmd']} cannot be grouped`);
      }
      checkCommand(child, `GroupCTSCmd child ${i}`, true);
    });
  }
}

function checkField(cmd: string, field: string, type: FieldType, value: unknown): void {
  const where = `${cmd}.${field}`;
  switch (type.kind) {
    case 'string':
      if (typeof value !== 'string') invalid(`${where} must be a string, got ${describeValue(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') invalid(`${where} must be a boolean, got ${describeValue(value)}`);
      return;
    case 'int':
      checkInteger(where, value, INT_MIN, INT_MAX);
      return;
    case 'count':
      checkInteger(where, value, 0, INT_MAX);
      return;
    case 'uint':
      checkInteger(where, value, 0, UINT_MAX);
      return;
    case 'strings':
      if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) {
        invalid(`${where} must be an array of strings, got ${describeValue(value)}`);
      }
      return;
    case 'pairs':
    case 'variables':
      if (
        !Array.isArray(value) ||
        !value.every((p) => isObject(p) && typeof p['name'] === 'string' && typeof p['value'] === 'string')
      ) {
        invalid(`${where} must be an array of {name, value} strings, got ${describeValue(value)}`);
      }
      return;
    case 'enum': {
      const known = typeof value === 'number' && Object.values(type.values).includes(value);
      if (!known) {
        const range = Object.values(type.values).filter((v) => !type.forbidden?.includes(v));
        invalid(
          `${where} ${describeValue(value)} is not a valid ${type.name} (expected one of ${range.join(', ')}); ` +
            'out-of-range values can crash the server',
        );
      }
      if (type.forbidden?.includes(value as number)) {
        invalid(`${where} ${enumName(type.values, value as number)} (${String(value)}) must never be sent`);
      }
      return;
    }
    case 'oneOf':
      if (typeof value !== 'string' || !type.values.includes(value)) {
        invalid(`${where} ${describeValue(value)} is not one of ${type.values.join('|')}`);
      }
      return;
    case 'children':
      if (!Array.isArray(value)) invalid(`${where} must be an array of commands, got ${describeValue(value)}`);
      return;
  }
}

function checkInteger(where: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalid(`${where} must be an integer in ${min}..${max}, got ${describeValue(value)}`);
  }
}

/**
 * Throws EcflowError(INVALID_ARGUMENT) unless `identity` is usable for a user command: a non-empty
 * host and user (an empty user is always denied), optional string password hash, optional boolean.
 *
 * @example
 * validateRequestIdentity({ host: 'vm', user: 'ops' });
 */
export function validateRequestIdentity(identity: RequestIdentity): void {
  const id: unknown = identity;
  if (!isObject(id)) invalid(`request identity must be an object, got ${describeValue(id)}`);
  if (typeof id['host'] !== 'string' || id['host'] === '') invalid('request identity: host must be a non-empty string');
  if (typeof id['user'] !== 'string' || id['user'] === '') {
    invalid('request identity: user must be a non-empty string (the server denies an empty user)');
  }
  if (id['passwordHash'] !== undefined && typeof id['passwordHash'] !== 'string') {
    invalid('request identity: passwordHash must be a string');
  }
  if (id['customUser'] !== undefined && typeof id['customUser'] !== 'boolean') {
    invalid('request identity: customUser must be a boolean');
  }
}

/**
 * Throws EcflowError(INVALID_ARGUMENT) unless `identity` is usable for a child command.
 *
 * @example
 * validateTaskIdentity({ host: 'vm', path: '/s/t', jobsPassword: 'x', processId: '123', tryNo: 1 });
 */
export function validateTaskIdentity(identity: TaskIdentity): void {
  const id: unknown = identity;
  if (!isObject(id)) invalid(`task identity must be an object, got ${describeValue(id)}`);
  if (typeof id['host'] !== 'string' || id['host'] === '') invalid('task identity: host must be a non-empty string');
  for (const key of ['path', 'jobsPassword', 'processId'] as const) {
    if (typeof id[key] !== 'string') invalid(`task identity: ${key} must be a string`);
  }
  checkInteger('task identity: tryNo', id['tryNo'], 0, INT_MAX);
}

/** A short printable form of an arbitrary value, for error messages. */
function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `array(${v.length})`;
  return typeof v;
}
