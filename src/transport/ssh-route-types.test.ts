/** The route shapes: the config module's RouteConfig is a RouteSpec as it is; the states. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RouteConfig } from '../config/config-types.js';
import { RouteState, type RouteSpec, type RouteStatus } from './ssh-route-types.js';

test('a RouteConfig from src/config can be handed to RouteSupervisor as it is (type contract)', () => {
  const config: RouteConfig = {
    name: 'centre',
    destination: 'user1@machine1',
    jump: ['user1@jump.ecmwf.int'],
    loginCommand: 'tsh login --proxy=jump.ecmwf.int',
    socksPort: 9050,
  };
  const spec: RouteSpec = config; // compile-time check
  assert.equal(spec.destination, 'user1@machine1');
});

test('states as ecFlow-remote names them; the status snapshot is plain JSON', () => {
  assert.deepEqual(Object.values(RouteState), ['idle', 'connecting', 'up', 'backoff', 'needs-login', 'failed']);
  const status: RouteStatus = {
    name: 'centre',
    state: 'needs-login',
    socksPort: 40123,
    pid: undefined,
    since: new Date(0).toISOString(),
    lastError: { kind: 'auth', message: 'm', stderrTail: '', at: new Date(0).toISOString() },
    certificate: { path: '/c', source: 'teleport', validFrom: null, validTo: null, expired: false },
    reconnects: 0,
    multiplexing: true,
    forwards: [{ localPort: 5000, remoteHost: 'machine1', remotePort: 4141 }],
  };
  const { pid: _pid, ...withoutPid } = status; // undefined members vanish in JSON
  assert.deepEqual(JSON.parse(JSON.stringify(status)), withoutPid);
});
