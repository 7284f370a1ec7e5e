import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { CUSTOM_USER_PASSWORD_MISSING, resolveIdentity, type IdentityContext } from './identity.js';
import { EcflowError } from '../errors.js';

const target = { host: 'localhost', port: 3141 };

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ecf-identity-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function passwdFile(dir: string, name: string, lines: string[], mode = 0o600): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, ['4.5.0', ...lines, ''].join('\n'));
  await chmod(path, mode);
  return path;
}

function ctx(env: Record<string, string> = {}, warnings: string[] = []): IdentityContext {
  return { env, realHostName: 'vm', onWarning: (m) => warnings.push(m) };
}

function isCode(code: string, mustNotContain?: string) {
  return (e: unknown) => {
    assert.ok(e instanceof EcflowError, String(e));
    assert.equal(e.code, code, e.message);
    if (mustNotContain !== undefined) assert.ok(!e.message.includes(mustNotContain), e.message);
    return true;
  };
}

test('login user without any password: user_ = login name, no pswd_', async () => {
  const id = await resolveIdentity({}, target, ctx());
  assert.deepEqual(id, { user: userInfo().username, customUser: false, passwordSource: 'none' });
});

test('remoteUser replaces the login name; application password is crypted with it', async () => {
  const id = await resolveIdentity({ remoteUser: 'root', password: 'rootpw' }, target, ctx());
  assert.deepEqual(id, { user: 'root', customUser: false, passwordHash: 'roPjs71m8S6JA', passwordSource: 'application' });
});

test('custom user with application password', async () => {
  const id = await resolveIdentity({ customUser: 'rouser', password: 'ropw' }, target, ctx());
  assert.equal(id.user, 'rouser');
  assert.equal(id.customUser, true);
  assert.equal(id.passwordHash, 'rom0wh951j8Sg');
});

test('custom user: ECF_CUSTOM_PASSWD env file, host as typed then the real host name', async () => {
  await withDir(async (dir) => {
    const file = await passwdFile(dir, 'custom', ['rouser vm 3141 ropw', 'rwuser localhost 3141 rwpw']);
    const env = { ECF_CUSTOM_PASSWD: file, ECF_PASSWD: '/nonexistent' };
    const ro = await resolveIdentity({ customUser: 'rouser' }, target, ctx(env));
    assert.equal(ro.passwordHash, 'rom0wh951j8Sg');
    assert.equal(ro.passwordSource, file);
    const rw = await resolveIdentity({ customUser: 'rwuser' }, target, ctx(env));
    assert.equal(rw.passwordHash, 'rwkD3oMHy5NoU');
    // wrong port: no line -> PASSWORD error with the C++ text
    await assert.rejects(resolveIdentity({ customUser: 'rouser' }, { host: 'vm', port: 4141 }, ctx(env)), (e: unknown) => {
      isCode('PASSWORD', 'ropw')(e);
      assert.ok((e as Error).message.startsWith(CUSTOM_USER_PASSWORD_MISSING));
      assert.match((e as Error).message, /no matching line in ECF_CUSTOM_PASSWD file/);
      return true;
    });
  });
});

test('custom user without any password source -> PASSWORD (env unset, env file missing, empty password)', async () => {
  await assert.rejects(resolveIdentity({ customUser: 'rouser' }, target, ctx()), isCode('PASSWORD'));
  await assert.rejects(
    resolveIdentity({ customUser: 'rouser' }, target, ctx({ ECF_CUSTOM_PASSWD: '/nonexistent/x' })),
    (e: unknown) => isCode('PASSWORD')(e) && /does not exist/.test((e as Error).message),
  );
  await assert.rejects(resolveIdentity({ customUser: 'rouser', password: '' }, target, ctx()), isCode('PASSWORD'));
});

test('custom user does not use ECF_PASSWD; login user does not use ECF_CUSTOM_PASSWD', async () => {
  await withDir(async (dir) => {
    const file = await passwdFile(dir, 'pw', ['rouser vm 3141 ropw', 'root vm 3141 rootpw']);
    await assert.rejects(resolveIdentity({ customUser: 'rouser' }, target, ctx({ ECF_PASSWD: file })), isCode('PASSWORD'));
    const login = await resolveIdentity({ remoteUser: 'root' }, target, ctx({ ECF_CUSTOM_PASSWD: file }));
    assert.equal(login.passwordHash, undefined);
  });
});

test('login user: ECF_PASSWD line found -> pswd_; no line -> no pswd_; missing env file ignored', async () => {
  await withDir(async (dir) => {
    const file = await passwdFile(dir, 'pw', ['root vm 3141 rootpw']);
    const id = await resolveIdentity({ remoteUser: 'root' }, target, ctx({ ECF_PASSWD: file }));
    assert.equal(id.passwordHash, 'roPjs71m8S6JA');
    const other = await resolveIdentity({ remoteUser: 'fred' }, target, ctx({ ECF_PASSWD: file }));
    assert.equal(other.passwordHash, undefined);
    const missing = await resolveIdentity({ remoteUser: 'root' }, target, ctx({ ECF_PASSWD: join(dir, 'nope') }));
    assert.equal(missing.passwordHash, undefined);
  });
});

test('passwordFile overrides the env file, must exist, and is used for custom users too', async () => {
  await withDir(async (dir) => {
    const mine = await passwdFile(dir, 'mine', ['rouser localhost 3141 ropw', 'root localhost 3141 rootpw']);
    const envFile = await passwdFile(dir, 'env', ['root localhost 3141 other']);
    const env = { ECF_PASSWD: envFile, ECF_CUSTOM_PASSWD: envFile };
    assert.equal((await resolveIdentity({ remoteUser: 'root', passwordFile: mine }, target, ctx(env))).passwordHash, 'roPjs71m8S6JA');
    assert.equal((await resolveIdentity({ customUser: 'rouser', passwordFile: mine }, target, ctx(env))).passwordHash, 'rom0wh951j8Sg');
    await assert.rejects(resolveIdentity({ passwordFile: join(dir, 'nope') }, target, ctx()), isCode('CONFIG'));
  });
});

test('a malformed passwd file is a CONFIG error naming file and line, not the password', async () => {
  await withDir(async (dir) => {
    const file = await passwdFile(dir, 'bad', ['root vm 3141 rootpw', 'root vm xx secret-pw']);
    await assert.rejects(
      resolveIdentity({ remoteUser: 'root' }, target, ctx({ ECF_PASSWD: file })),
      (e: unknown) => isCode('CONFIG', 'secret-pw')(e) && (e as Error).message.includes(`${file}, line 3`),
    );
  });
});

test('group/other-readable passwd file: a warning, not an error; 0600: no warning', async () => {
  await withDir(async (dir) => {
    const open = await passwdFile(dir, 'open', ['root vm 3141 rootpw'], 0o644);
    const warnings: string[] = [];
    const id = await resolveIdentity({ remoteUser: 'root' }, target, ctx({ ECF_PASSWD: open }, warnings));
    assert.equal(id.passwordHash, 'roPjs71m8S6JA');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /readable by group or others \(mode 644\)/);
    assert.ok(!(warnings[0] ?? '').includes('rootpw'));
    const closed = await passwdFile(dir, 'closed', ['root vm 3141 rootpw']);
    const none: string[] = [];
    await resolveIdentity({ remoteUser: 'root' }, target, ctx({ ECF_PASSWD: closed }, none));
    assert.deepEqual(none, []);
  });
});

test('invalid combinations and user names -> INVALID_ARGUMENT', async () => {
  await assert.rejects(resolveIdentity({ customUser: 'a1', remoteUser: 'b1' }, target, ctx()), isCode('INVALID_ARGUMENT'));
  const both = { password: 'x', passwordFile: '/f' } as unknown as { password: string };
  await assert.rejects(resolveIdentity(both, target, ctx()), isCode('INVALID_ARGUMENT'));
  await assert.rejects(resolveIdentity({ remoteUser: '' }, target, ctx()), isCode('INVALID_ARGUMENT'));
  await assert.rejects(resolveIdentity({ customUser: 'a b' }, target, ctx()), isCode('INVALID_ARGUMENT'));
  // a salt outside [./0-9A-Za-z] cannot be crypted portably
  await assert.rejects(resolveIdentity({ customUser: 'é-user', password: 'pw' }, target, ctx()), isCode('INVALID_ARGUMENT', 'pw'));
});
