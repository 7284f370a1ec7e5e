/**
 * Requests: typed ecFlow commands -> cereal JSON payload -> frame (ecflow-protocol.md §2.1-2.4, §3,
 * §4). This is the public entry point of the command side of src/protocol: it re-exports the
 * command types (commands-types.ts), the enums (commands-enums.ts), the validator
 * (commands-validate.ts) and `describeCommand` (commands-describe.ts).
 *
 * Encoding rules (§2.3/2.4), all driven by COMMAND_LAYOUTS:
 *  - envelope `{"21ClientToServerRequest":{"cmd_":<polymorphic pointer>}}`;
 *  - a user command is `{cereal_class_version, value0:{UserCmd: value0:{ClientToServerCmd:
 *    cl_host_}, user_, [pswd_], [cu_]}, <own members>}`; a child command has the `TaskCmd` base
 *    (`path_to_submittable_`, `jobs_password_`, `process_or_remote_id_`, `try_no_`) instead;
 *  - `cereal_class_version: 0` only on the first object of each class in the message, so inside a
 *    GroupCTSCmd the children's base parts carry no versions, while each child's own class gets one
 *    the first time it appears; polymorphic type numbers and pointer ids are per message.
 *
 * Pure module: no Node or DOM types.
 */

import { CerealWriter } from './cereal.js';
import type { CerealObject } from './cereal.js';
import { COMMAND_LAYOUTS, isTaskCommandName } from './commands-layout.js';
import type { FieldLayout } from './commands-layout.js';
import type { Command, NameValue, RequestIdentity, TaskCommand, TaskIdentity, UserCommand } from './commands-types.js';
import { validateCommand, validateRequestIdentity, validateTaskIdentity } from './commands-validate.js';
import { encodeFrame } from './frame.js';

export * from './commands-enums.js';
export * from './commands-types.js';
export { COMMAND_LAYOUTS, isCommandName, isTaskCommandName } from './commands-layout.js';
export type { FieldLayout, FieldType } from './commands-layout.js';
export { validateCommand, validateRequestIdentity, validateTaskIdentity } from './commands-validate.js';
export { describeCommand } from './commands-describe.js';

/** Top-level key of a request document (§2.1). */
export const REQUEST_ROOT_KEY = '21ClientToServerRequest';

/** Options of `encodeRequest`. */
export interface EncodeRequestOptions {
  /**
   * Skip `validateCommand` and the identity checks. Only for tests that must reproduce captured
   * requests byte for byte, including the unsafe ones; never for requests that are sent.
   */
  skipValidation?: boolean;
}

/**
 * Encode a command as the JSON payload of a request (compact JSON, which the server accepts).
 * Validates the command and the identity first (EcflowError INVALID_ARGUMENT).
 *
 * @example
 * encodeRequest({ cmd: 'CtsCmd', api: CtsApi.PING }, { host: 'x', user: 'root' });
 * // '{"21ClientToServerRequest":{"cmd_":{"polymorphic_id":2147483649,"polymorphic_name":"CtsCmd",...'
 *
 * encodeRequest({ cmd: 'InitCmd' }, { host: 'h', path: '/s/t', jobsPassword: 'pw', processId: '42', tryNo: 1 });
 */
export function encodeRequest(cmd: UserCommand, identity: RequestIdentity, options?: EncodeRequestOptions): string;
export function encodeRequest(cmd: TaskCommand, identity: TaskIdentity, options?: EncodeRequestOptions): string;
export function encodeRequest(
  cmd: Command,
  identity: RequestIdentity | TaskIdentity,
  options?: EncodeRequestOptions,
): string;
export function encodeRequest(
  cmd: Command,
  identity: RequestIdentity | TaskIdentity,
  options: EncodeRequestOptions = {},
): string {
  const task = isTaskCommandName(cmd.cmd);
  if (options.skipValidation !== true) {
    validateCommand(cmd);
    if (task) validateTaskIdentity(identity as TaskIdentity);
    else validateRequestIdentity(identity as RequestIdentity);
  }
  const w = new CerealWriter();
  const doc = { [REQUEST_ROOT_KEY]: { cmd_: commandPointer(w, cmd, identity) } };
  return JSON.stringify(doc);
}

/**
 * `encodeFrame(encodeRequest(cmd, identity))`: the bytes to write to the socket.
 *
 * @example
 * socket.write(encodeRequestFrame({ cmd: 'ServerVersionCmd' }, { host: 'x', user: 'ops' }));
 */
export function encodeRequestFrame(cmd: UserCommand, identity: RequestIdentity, options?: EncodeRequestOptions): Uint8Array;
export function encodeRequestFrame(cmd: TaskCommand, identity: TaskIdentity, options?: EncodeRequestOptions): Uint8Array;
export function encodeRequestFrame(
  cmd: Command,
  identity: RequestIdentity | TaskIdentity,
  options?: EncodeRequestOptions,
): Uint8Array;
export function encodeRequestFrame(
  cmd: Command,
  identity: RequestIdentity | TaskIdentity,
  options?: EncodeRequestOptions,
): Uint8Array {
  return encodeFrame(encodeRequest(cmd, identity, options));
}

function commandPointer(w: CerealWriter, cmd: Command, identity: RequestIdentity | TaskIdentity): CerealObject {
  const name = cmd.cmd;
  return w.polymorphic(name, () =>
    w.versioned(name, () => {
      const out: CerealObject = {
        value0: isTaskCommandName(name) ? taskBase(w, identity as TaskIdentity) : userBase(w, identity as RequestIdentity),
      };
      const fields = cmd as unknown as Record<string, unknown>;
      for (const f of COMMAND_LAYOUTS[name] as readonly FieldLayout[]) {
        const value = fields[f.field] ?? f.default;
        if (f.omitWhen?.(value) === true) continue;
        out[f.wire] = wireValue(w, f, value, identity);
      }
      return out;
    }),
  );
}

function clientToServerBase(w: CerealWriter, host: string): CerealObject {
  return w.versioned('ClientToServerCmd', () => ({ cl_host_: host }));
}

function userBase(w: CerealWriter, id: RequestIdentity): CerealObject {
  return w.versioned('UserCmd', () => {
    const out: CerealObject = { value0: clientToServerBase(w, id.host), user_: id.user };
    // Optional members, recognised only at their position: pswd_ before cu_ (§2.3).
    if (id.passwordHash !== undefined && id.passwordHash !== '') out['pswd_'] = id.passwordHash;
    if (id.customUser === true) out['cu_'] = true;
    return out;
  });
}

function taskBase(w: CerealWriter, id: TaskIdentity): CerealObject {
  return w.versioned('TaskCmd', () => ({
    value0: clientToServerBase(w, id.host),
    path_to_submittable_: id.path,
    jobs_password_: id.jobsPassword,
    process_or_remote_id_: id.processId,
    try_no_: id.tryNo,
  }));
}

function wireValue(w: CerealWriter, f: FieldLayout, value: unknown, identity: RequestIdentity | TaskIdentity): unknown {
  switch (f.type.kind) {
    case 'strings':
      return [...(value as readonly string[])];
    case 'pairs':
      return (value as readonly NameValue[]).map((p) => ({ first: p.name, second: p.value }));
    case 'variables':
      return (value as readonly NameValue[]).map((p) => ({ n_: p.name, v_: p.value }));
    case 'children':
      return (value as readonly Command[]).map((child) => commandPointer(w, child, identity));
    default:
      return value;
  }
}
