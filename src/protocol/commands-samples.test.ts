// Test fixtures for the request side: one minimal valid command of every kind, and a fast-check
// arbitrary of valid commands derived from COMMAND_LAYOUTS (used by commands.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  COMMAND_LAYOUTS,
  CtsApi,
  CtsNodeApi,
  PathsApi,
  SyncApi,
  isTaskCommandName,
  type Command,
  type CommandName,
  type FieldLayout,
  type FieldType,
} from './commands.js';

/** A minimal valid command of every kind: only the required fields. */
export const SAMPLE_COMMANDS: { readonly [K in CommandName]: Extract<Command, { cmd: K }> } = {
  ServerVersionCmd: { cmd: 'ServerVersionCmd' },
  CtsCmd: { cmd: 'CtsCmd', api: CtsApi.PING },
  LogMessageCmd: { cmd: 'LogMessageCmd', msg: 'hello' },
  LogCmd: { cmd: 'LogCmd', api: 0 },
  CheckPtCmd: { cmd: 'CheckPtCmd' },
  CSyncCmd: { cmd: 'CSyncCmd', api: SyncApi.NEWS },
  ClientHandleCmd: { cmd: 'ClientHandleCmd', api: 6 },
  GroupCTSCmd: { cmd: 'GroupCTSCmd', children: [{ cmd: 'ShowCmd' }] },
  ShowCmd: { cmd: 'ShowCmd' },
  CtsNodeCmd: { cmd: 'CtsNodeCmd', api: CtsNodeApi.GET },
  LoadDefsCmd: { cmd: 'LoadDefsCmd', defs: 'suite s\nendsuite\n' },
  BeginCmd: { cmd: 'BeginCmd' },
  DeleteCmd: { cmd: 'DeleteCmd', paths: ['/s/f'] },
  PathsCmd: { cmd: 'PathsCmd', api: PathsApi.RESUME, paths: ['/s'] },
  RequeueNodeCmd: { cmd: 'RequeueNodeCmd', paths: ['/s'] },
  OrderNodeCmd: { cmd: 'OrderNodeCmd', absNodePath: '/s/f', option: 0 },
  RunNodeCmd: { cmd: 'RunNodeCmd', paths: ['/s/t'] },
  ForceCmd: { cmd: 'ForceCmd', paths: ['/s/t'], stateOrEvent: 'complete' },
  FreeDepCmd: { cmd: 'FreeDepCmd', paths: ['/s/t'] },
  AlterCmd: { cmd: 'AlterCmd', paths: ['/s/t'], addAttrType: 5, name: 'V', value: '1' },
  ReplaceNodeCmd: { cmd: 'ReplaceNodeCmd', pathToNode: '/s', clientDefs: 'suite s\nendsuite\n' },
  PlugCmd: { cmd: 'PlugCmd', source: '/s/a', dest: '/t' },
  CFileCmd: { cmd: 'CFileCmd', file: 0, pathToNode: '/s/t' },
  EditScriptCmd: { cmd: 'EditScriptCmd', editType: 0, pathToNode: '/s/t' },
  QueryCmd: { cmd: 'QueryCmd', queryType: 'state', pathToAttribute: '/s' },
  ZombieCmd: { cmd: 'ZombieCmd', userAction: 0, paths: ['/s/t'] },
  InitCmd: { cmd: 'InitCmd' },
  CompleteCmd: { cmd: 'CompleteCmd' },
  AbortCmd: { cmd: 'AbortCmd' },
  EventCmd: { cmd: 'EventCmd', name: 'e' },
  MeterCmd: { cmd: 'MeterCmd', name: 'm', value: 3 },
  LabelCmd: { cmd: 'LabelCmd', name: 'l', label: 'text' },
  CtsWaitCmd: { cmd: 'CtsWaitCmd', expression: '/s/t == complete' },
  QueueCmd: { cmd: 'QueueCmd', name: 'q', action: 'active' },
};

const text = fc.string({ unit: 'binary', maxLength: 12 });
const nameValue = fc.record({ name: text, value: text }, { noNullPrototype: true });

function fieldValue(type: FieldType, inGroup: boolean): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case 'string':
      return text;
    case 'boolean':
      return fc.boolean();
    case 'int':
      return fc.integer({ min: -0x80000000, max: 0x7fffffff });
    case 'count':
      return fc.integer({ min: 0, max: 0x7fffffff });
    case 'uint':
      return fc.integer({ min: 0, max: 0xffffffff });
    case 'strings':
      return fc.array(text, { maxLength: 3 });
    case 'pairs':
    case 'variables':
      return fc.array(nameValue, { maxLength: 3 });
    case 'enum': {
      const forbidden = type.forbidden ?? [];
      return fc.constantFrom(...Object.values(type.values).filter((v) => !forbidden.includes(v)));
    }
    case 'oneOf':
      return fc.constantFrom(...type.values);
    case 'children':
      return inGroup ? fc.constant([]) : fc.array(commandOf(userNames(), true), { minLength: 1, maxLength: 3 });
  }
}

function userNames(): CommandName[] {
  return (Object.keys(COMMAND_LAYOUTS) as CommandName[]).filter((n) => !isTaskCommandName(n) && n !== 'GroupCTSCmd');
}

function commandOf(names: CommandName[], inGroup: boolean): fc.Arbitrary<Command> {
  return fc.constantFrom(...names).chain((name) => {
    const layout = COMMAND_LAYOUTS[name] as readonly FieldLayout[];
    const parts: Record<string, fc.Arbitrary<unknown>> = {};
    const required: string[] = [];
    for (const f of layout) {
      parts[f.field] = fieldValue(f.type, inGroup);
      if (f.default === undefined) required.push(f.field);
    }
    return fc.record(parts, { requiredKeys: required, noNullPrototype: true }).map((fields) => {
      const cmd = { cmd: name, ...fields } as Record<string, unknown>;
      // SYNC_FULL must carry handle 0 (validateCommand).
      if (name === 'CSyncCmd' && cmd['api'] === SyncApi.SYNC_FULL) cmd['clientHandle'] = 0;
      return cmd as unknown as Command;
    });
  });
}

/**
 * Any valid command (user, task or group), with random optional fields.
 *
 * @example
 * fc.assert(fc.property(arbitraryCommand(), (cmd) => validateCommand(cmd)));
 */
export function arbitraryCommand(): fc.Arbitrary<Command> {
  return commandOf(Object.keys(COMMAND_LAYOUTS) as CommandName[], false);
}

test('the samples cover every command', () => {
  assert.deepEqual(Object.keys(SAMPLE_COMMANDS).sort(), Object.keys(COMMAND_LAYOUTS).sort());
});
