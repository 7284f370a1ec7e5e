import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandTimeoutMs, DEFAULT_TIMEOUTS, validateTimeouts } from './timeouts.js';
import { CtsApi, CtsNodeApi, PathsApi, SyncApi } from '../protocol/commands-enums.js';
import type { Command } from '../protocol/commands-types.js';
import { EcflowError } from '../errors.js';

const news: Command = { cmd: 'CSyncCmd', api: SyncApi.NEWS };
const sync: Command = { cmd: 'CSyncCmd', api: SyncApi.SYNC, clientHandle: 0 };
const ping: Command = { cmd: 'CtsCmd', api: CtsApi.PING };

test('default timeouts per command kind', () => {
  assert.equal(commandTimeoutMs(news), 20_000);
  for (const api of [SyncApi.SYNC, SyncApi.SYNC_FULL, SyncApi.SYNC_CLOCK]) {
    assert.equal(commandTimeoutMs({ cmd: 'CSyncCmd', api }), 600_000);
  }
  for (const api of [CtsNodeApi.GET, CtsNodeApi.GET_STATE, CtsNodeApi.MIGRATE]) {
    assert.equal(commandTimeoutMs({ cmd: 'CtsNodeCmd', api }), 600_000);
  }
  assert.equal(commandTimeoutMs({ cmd: 'CtsNodeCmd', api: CtsNodeApi.WHY, absNodePath: '/s' }), 60_000);
  assert.equal(commandTimeoutMs({ cmd: 'LoadDefsCmd', defs: 'suite s\nendsuite\n' }), 600_000);
  assert.equal(commandTimeoutMs(ping), 60_000);
  assert.equal(commandTimeoutMs({ cmd: 'PathsCmd', api: PathsApi.SUSPEND, paths: ['/s'] }), 60_000);
  assert.equal(commandTimeoutMs({ cmd: 'LabelCmd', name: 'l', label: 'x' }), 190_000);
  assert.equal(DEFAULT_TIMEOUTS.connect, 20_000);
});

test('a group takes the longest timeout of its children', () => {
  assert.equal(commandTimeoutMs({ cmd: 'GroupCTSCmd', children: [ping, sync] }), 600_000);
  assert.equal(commandTimeoutMs({ cmd: 'GroupCTSCmd', children: [news] }), 60_000);
});

test('configured kinds and per-command overrides', () => {
  const t = { news: 5_000, long: 900_000, default: 30_000, byCommand: { LoadDefsCmd: 1_200_000 } };
  assert.equal(commandTimeoutMs(news, t), 5_000);
  assert.equal(commandTimeoutMs(sync, t), 900_000);
  assert.equal(commandTimeoutMs(ping, t), 30_000);
  assert.equal(commandTimeoutMs({ cmd: 'LoadDefsCmd', defs: '' }, t), 1_200_000);
  assert.equal(commandTimeoutMs({ cmd: 'GroupCTSCmd', children: [ping] }, { byCommand: { GroupCTSCmd: 7 } }), 7);
});

test('validateTimeouts refuses non-positive or non-finite values', () => {
  assert.doesNotThrow(() => validateTimeouts({ news: 1, byCommand: { CtsCmd: 5 } }));
  for (const bad of [{ news: 0 }, { long: -1 }, { connect: Number.NaN }, { byCommand: { CtsCmd: Infinity } }, { task: 2 ** 31 }]) {
    assert.throws(() => validateTimeouts(bad), (e: unknown) => e instanceof EcflowError && e.code === 'INVALID_ARGUMENT');
  }
});
