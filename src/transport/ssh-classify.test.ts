/**
 * classifySshFailure() against every message of connectivity-notes.md §1.7 (and the exact stderr
 * OpenSSH 9.2 printed in the loopback lab), plus a few wordings from other builds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifySshFailure } from './ssh-classify.js';

const JUMP_AUTH = `labuser@jump.centre.test: Permission denied (publickey).
kex_exchange_identification: Connection closed by remote host
Connection closed by UNKNOWN port 65535
`;

test('auth: cert expired / not yet valid / wrong principal at the jump host -> needs-login, hop named, jump role', () => {
  const f = classifySshFailure(JUMP_AUTH, 255);
  assert.equal(f.kind, 'auth');
  assert.equal(f.action, 'needs-login');
  assert.equal(f.hop, 'labuser@jump.centre.test');
  assert.equal(f.hopRole, 'jump');
  assert.match(f.message, /labuser@jump\.centre\.test \(jump host\) refused the login: Permission denied \(publickey\)/);
  assert.match(f.evidence, /Permission denied/);
});

test('auth: refused by the destination (no kex fallout lines) -> destination role', () => {
  const f = classifySshFailure('ecfssh@127.0.0.1: Permission denied (publickey).\n', 255);
  assert.equal(f.kind, 'auth');
  assert.equal(f.hopRole, 'destination');
  assert.equal(f.hop, 'ecfssh@127.0.0.1');
});

test('auth: other wordings (several methods, too many failures, unprotected key)', () => {
  assert.equal(classifySshFailure('u@h: Permission denied (publickey,password,keyboard-interactive).', 255).kind, 'auth');
  assert.equal(classifySshFailure('Received disconnect from 10.0.0.1 port 22:2: Too many authentication failures', 255).kind, 'auth');
  const f = classifySshFailure(
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n@         WARNING: UNPROTECTED PRIVATE KEY FILE!          @\nLoad key "/home/u/.ssh/id": bad permissions\nu@h: Permission denied (publickey).',
    255,
  );
  assert.equal(f.kind, 'auth');
  assert.match(f.message, /bad permissions/);
});

test('hostkey: changed (full OpenSSH warning) -> failed, fingerprint and known_hosts hint kept', () => {
  const stderr = `@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
Someone could be eavesdropping on you right now (man-in-the-middle attack)!
It is also possible that a host key has just been changed.
The fingerprint for the ED25519 key sent by the remote host is
SHA256:JVJur5VPoZH40lRuoSKbOWA6QbiEIveelr2I30sOZPY.
Please contact your system administrator.
Add correct host key in /tmp/lab/kh_bad_ws to get rid of this message.
Offending ED25519 key in /tmp/lab/kh_bad_ws:2
  remove with:
  ssh-keygen -f "/tmp/lab/kh_bad_ws" -R "[127.0.0.1]:45102"
Host key for [127.0.0.1]:45102 has changed and you have requested strict checking.
Host key verification failed.
`;
  const f = classifySshFailure(stderr, 255);
  assert.equal(f.kind, 'hostkey');
  assert.equal(f.action, 'failed');
  assert.equal(f.hop, '[127.0.0.1]:45102');
  assert.equal(f.fingerprint, 'SHA256:JVJur5VPoZH40lRuoSKbOWA6QbiEIveelr2I30sOZPY');
  assert.match(f.knownHostsHint ?? '', /Offending ED25519 key in \/tmp\/lab\/kh_bad_ws:2/);
  assert.match(f.knownHostsHint ?? '', /ssh-keygen -f "\/tmp\/lab\/kh_bad_ws" -R "\[127\.0\.0\.1\]:45102"/);
  assert.match(f.message, /CHANGED.*SHA256:JVJur5VPoZH40lRuoSKbOWA6QbiEIveelr2I30sOZPY/);
  assert.match(f.message, /refusing/);
});

test('hostkey: unknown host + strict checking -> failed with a known_hosts hint', () => {
  const f = classifySshFailure(
    'No ED25519 host key is known for [127.0.0.1]:2202 and you have requested strict checking.\nHost key verification failed.\n',
    255,
  );
  assert.equal(f.kind, 'hostkey');
  assert.equal(f.hop, '[127.0.0.1]:2202');
  assert.match(f.message, /no host key is known for \[127\.0\.0\.1\]:2202/);
  assert.match(f.message, /known_hosts/);
});

test('hostkey: a bare "Host key verification failed." (jump hop, other builds)', () => {
  const f = classifySshFailure('Host key verification failed.\nkex_exchange_identification: Connection closed by remote host\n', 255);
  assert.equal(f.kind, 'hostkey');
});

test('port in use: -D/-L bind failure with ExitOnForwardFailure -> new port, port number parsed', () => {
  const f = classifySshFailure(
    'bind [127.0.0.1]:3142: Address already in use\nchannel_setup_fwd_listener_tcpip: cannot listen to port: 3142\nCould not request local forwarding.\n',
    255,
  );
  assert.equal(f.kind, 'port-in-use');
  assert.equal(f.action, 'new-port');
  assert.equal(f.port, 3142);
});

test('port in use: via the mux client', () => {
  const f = classifySshFailure('mux_client_forward: forwarding request failed: Port forwarding failed\nmuxclient: master forward request failed\n', 255);
  assert.equal(f.kind, 'port-in-use');
  assert.equal(f.port, undefined);
});

test('network: jump host down (refused), no route, timeout', () => {
  const refused = classifySshFailure(
    'ssh: connect to host 127.0.0.1 port 2299: Connection refused\nkex_exchange_identification: Connection closed by remote host\nConnection closed by UNKNOWN port 65535\n',
    255,
  );
  assert.equal(refused.kind, 'network');
  assert.equal(refused.action, 'backoff');
  assert.equal(refused.hop, '127.0.0.1');
  assert.match(refused.message, /cannot connect to 127\.0\.0\.1 port 2299: Connection refused/);
  const noRoute = classifySshFailure('ssh: connect to host jump.centre.test port 22: Network is unreachable\n', 255);
  assert.equal(noRoute.kind, 'network');
  assert.equal(noRoute.hop, 'jump.centre.test');
  assert.equal(classifySshFailure('ssh: connect to host j port 22: Operation timed out', 255).kind, 'network'); // macOS
});

test('dns: jump name unknown (Linux, macOS, Windows wordings)', () => {
  const f = classifySshFailure('ssh: Could not resolve hostname nosuch.invalid: Name or service not known\n', 255);
  assert.equal(f.kind, 'dns');
  assert.equal(f.action, 'backoff');
  assert.equal(f.hop, 'nosuch.invalid');
  assert.equal(classifySshFailure('ssh: Could not resolve hostname x: nodename nor servname provided, or not known', 255).kind, 'dns');
  assert.equal(classifySshFailure('ssh: Could not resolve hostname x: No such host is known. ', 255).kind, 'dns');
});

test('unreachable: the jump host cannot reach the destination (refused / name unknown)', () => {
  for (const reason of ['Connection refused', 'Name or service not known']) {
    const f = classifySshFailure(
      `channel 0: open failed: connect failed: ${reason}\nstdio forwarding failed\nkex_exchange_identification: Connection closed by remote host\nConnection closed by UNKNOWN port 65535\n`,
      255,
    );
    assert.equal(f.kind, 'unreachable');
    assert.equal(f.action, 'backoff');
    assert.match(f.message, new RegExp(reason));
  }
});

test('dead link: keepalive timeout -> network (reconnect)', () => {
  const f = classifySshFailure('Timeout, server 127.0.0.1 not responding.\n', 255);
  assert.equal(f.kind, 'network');
  assert.match(f.message, /dead/);
  assert.equal(f.hop, '127.0.0.1');
});

test('server-side drop: closed by remote host -> network', () => {
  for (const host of ['jump.centre.test', 'workstation']) {
    const f = classifySshFailure(`Connection to ${host} closed by remote host.\n`, 255);
    assert.equal(f.kind, 'network');
    assert.equal(f.hop, host);
  }
  assert.equal(classifySshFailure('client_loop: send disconnect: Broken pipe', 255).kind, 'network');
});

test('forward target refused on a running master is not a master failure (it stays unknown if it ever exits)', () => {
  const f = classifySshFailure('channel 2: open failed: connect failed: Connection refused\n', 0);
  assert.notEqual(f.kind, 'unreachable'); // no "stdio forwarding failed": not the ProxyJump hop
  assert.equal(f.action, 'backoff');
});

test('configuration errors -> failed (retrying will not help)', () => {
  for (const stderr of [
    "command-line line 0: Bad configuration option: controlmasterx",
    "Can't open user config file /nope: No such file or directory",
    'channel 0: open failed: administratively prohibited: open failed\nstdio forwarding failed',
    "Bad local forwarding specification '0:machine1:4141'",
    'Bad owner or permissions on /home/u/.ssh/config',
  ]) {
    const f = classifySshFailure(stderr, 255);
    assert.equal(f.kind, 'config', stderr);
    assert.equal(f.action, 'failed', stderr);
  }
});

test('unknown: killed by a signal, SIGTERM exit 0, or silence', () => {
  const killed = classifySshFailure('', null, 'SIGKILL');
  assert.equal(killed.kind, 'unknown');
  assert.equal(killed.action, 'backoff');
  assert.match(killed.message, /SIGKILL/);
  assert.match(classifySshFailure('', 0).message, /status 0/);
  assert.match(classifySshFailure('something new\n', 1).message, /status 1: something new/);
});

test('classification order: a host key warning wins over the kex fallout; auth wins over the network lines', () => {
  assert.equal(
    classifySshFailure('No ED25519 host key is known for jump and you have requested strict checking.\nHost key verification failed.\nConnection closed by UNKNOWN port 65535', 255).kind,
    'hostkey',
  );
  assert.equal(classifySshFailure(JUMP_AUTH, 255).kind, 'auth');
});
