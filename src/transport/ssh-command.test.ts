/** argv building for the master, `ssh -G` and `-O` commands; the `ssh -G` parser; generated config. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildControlArgv,
  buildGeneratedConfig,
  buildMasterArgv,
  buildResolveArgv,
  expandTilde,
  formatLocalForward,
  parseResolvedConfig,
} from './ssh-command.js';
import { jumpTarget } from './ssh-route.js';

test('master argv: the options of notes §5.1, -F first, -J, -D on 127.0.0.1, destination last', () => {
  const argv = buildMasterArgv({
    destination: 'user1@machine1',
    jump: ['user1@jump.ecmwf.int', 'inner:2222'],
    configFile: '/home/u/.ssh/config',
    controlPath: '/run/user/1000/ecflow-remote/centr-3fa9',
    socksPort: 40123,
  });
  assert.deepEqual(argv, [
    '-F', '/home/u/.ssh/config',
    '-N', '-C',
    '-o', 'ControlMaster=yes',
    '-o', 'ControlPath=/run/user/1000/ecflow-remote/centr-3fa9',
    '-o', 'ControlPersist=no',
    '-o', 'ExitOnForwardFailure=yes',
    '-o', 'ServerAliveInterval=15',
    '-o', 'ServerAliveCountMax=3',
    '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=15',
    '-J', 'user1@jump.ecmwf.int,inner:2222',
    '-D', '127.0.0.1:40123',
    'user1@machine1',
  ]);
  assert.ok(!argv.includes('-f'), 'never -f: we keep the PID');
});

test('master argv without multiplexing (Windows): no control socket, fixed -L forwards', () => {
  const argv = buildMasterArgv({
    destination: 'ws',
    socksPort: 9050,
    forwards: [
      { localPort: 14141, remoteHost: 'machine1', remotePort: 4141 },
      { localPort: 14142, remoteHost: 'fe80::1', remotePort: 3141 },
    ],
    serverAliveInterval: 5,
    serverAliveCountMax: 2,
  });
  assert.ok(argv.includes('ControlMaster=no') && argv.includes('ControlPath=none'));
  assert.ok(!argv.some((a) => a.startsWith('ControlPath=/')));
  assert.ok(argv.includes('ServerAliveInterval=5') && argv.includes('ServerAliveCountMax=2'));
  assert.deepEqual(argv.slice(-7), ['-D', '127.0.0.1:9050', '-L', '127.0.0.1:14141:machine1:4141', '-L', '127.0.0.1:14142:[fe80::1]:3141', 'ws']);
});

test('argument injection is refused: destinations/jumps starting with "-", with spaces or commas', () => {
  assert.throws(() => buildMasterArgv({ destination: '-oProxyCommand=touch /tmp/x', socksPort: 1 }), /must not start with '-'/);
  assert.throws(() => buildMasterArgv({ destination: 'ws', jump: ['a,b'], socksPort: 1 }), /commas/);
  assert.throws(() => buildMasterArgv({ destination: 'w s', socksPort: 1 }), /spaces/);
  assert.throws(() => buildMasterArgv({ destination: 'ws', socksPort: 0 }), /SOCKS port/);
  assert.throws(() => buildMasterArgv({ destination: 'ws', socksPort: 1, controlPath: '/tmp/a b' }), /control path/);
  assert.throws(() => formatLocalForward({ localPort: 1, remoteHost: 'a b', remotePort: 2 }), /invalid forward target/);
});

test('control commands never read the user config: -F none -S <path> -O <op> [-L] x', () => {
  assert.deepEqual(buildControlArgv('/r/c', 'check'), ['-F', 'none', '-S', '/r/c', '-O', 'check', 'x']);
  assert.deepEqual(buildControlArgv('/r/c', 'exit'), ['-F', 'none', '-S', '/r/c', '-O', 'exit', 'x']);
  assert.deepEqual(buildControlArgv('/r/c', 'forward', { localPort: 5000, remoteHost: 'machine1', remotePort: 4141 }), [
    '-F', 'none', '-S', '/r/c', '-O', 'forward', '-L', '127.0.0.1:5000:machine1:4141', 'x',
  ]);
  assert.deepEqual(buildControlArgv('/r/c', 'cancel', { localPort: 5000, remoteHost: 'machine1', remotePort: 4141 }).slice(4), [
    '-O', 'cancel', '-L', '127.0.0.1:5000:machine1:4141', 'x',
  ]);
  assert.throws(() => buildControlArgv('/r/c', 'forward'), /needs a forward/);
});

test('ssh -G argv carries the same -F and -J as the master', () => {
  assert.deepEqual(buildResolveArgv({ destination: 'ws', jump: ['j'], configFile: '/c' }), ['-G', '-F', '/c', '-J', 'j', 'ws']);
  assert.deepEqual(buildResolveArgv({ destination: 'ws' }), ['-G', 'ws']);
});

test('ssh -G parser: hostname/port/user/proxyjump, multi-valued identity files with ~ expanded', () => {
  const r = parseResolvedConfig(
    [
      'host ws',
      'user ecfssh',
      'hostname 127.0.0.1',
      'port 45102',
      'identityagent none',
      'identityfile ~/.ssh/id_rsa',
      'identityfile /tmp/lab/id',
      'certificatefile /tmp/lab/id-cert.pub',
      'proxyjump u@a:22,c',
      'proxycommand none',
    ].join('\n'),
    '/home/u',
  );
  assert.equal(r.hostname, '127.0.0.1');
  assert.equal(r.port, 45102);
  assert.equal(r.user, 'ecfssh');
  assert.deepEqual(r.proxyJump, ['u@a:22', 'c']);
  assert.deepEqual(r.identityFiles, ['/home/u/.ssh/id_rsa', '/tmp/lab/id']);
  assert.deepEqual(r.certificateFiles, ['/tmp/lab/id-cert.pub']);
  assert.equal(r.identityAgent, 'none');
  assert.deepEqual(parseResolvedConfig('hostname h\n').proxyJump, []);
  assert.equal(parseResolvedConfig('hostname h\n').port, 22);
  assert.equal(expandTilde('~', '/h'), '/h');
  assert.equal(expandTilde('/abs', '/h'), '/abs');
});

test('generated config: identity and certificate for every hop, then the included configs', () => {
  const text = buildGeneratedConfig({
    routeName: 'centre',
    identityFile: '/home/u/.tsh/keys/jump/alice',
    certificateFile: '/home/u/.tsh/keys/jump/alice-ssh/jump-cert.pub',
    include: ['/home/u/.ssh/config', '/etc/ssh/ssh_config'],
  });
  assert.equal(
    text,
    '# generated by ecflow-remote for route "centre"; removed when the route stops\n' +
      'Host *\n' +
      '  IdentityFile "/home/u/.tsh/keys/jump/alice"\n' +
      '  CertificateFile "/home/u/.tsh/keys/jump/alice-ssh/jump-cert.pub"\n' +
      'Include "/home/u/.ssh/config"\n' +
      'Include "/etc/ssh/ssh_config"\n',
  );
  assert.throws(() => buildGeneratedConfig({ routeName: 'x', identityFile: 'a"b', include: [] }), /cannot write/);
});

test('jumpTarget: user@host:port, bare names, ssh:// URIs, IPv6; junk refused', () => {
  assert.deepEqual(jumpTarget('user1@jump.ecmwf.int'), { destination: 'jump.ecmwf.int', user: 'user1' });
  assert.deepEqual(jumpTarget('jump:2201'), { destination: 'jump', port: 2201 });
  assert.deepEqual(jumpTarget('ssh://u@[::1]:22'), { destination: '::1', user: 'u', port: 22 });
  assert.equal(jumpTarget('-oProxyCommand=x'), undefined);
  assert.equal(jumpTarget('a b'), undefined);
});
