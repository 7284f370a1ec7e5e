/**
 * The `ssh-keygen -L` parser (all four `Valid:` forms, principals), warnings and expiry messages,
 * Teleport's file layout, and reading real certificates made with ssh-keygen.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  certificateExpired,
  certificateNotYetValid,
  certificateProblem,
  certificateWarning,
  findCertificate,
  parseKeygenList,
  parseLocalTimestamp,
  parseValidity,
  readCertificateFile,
  teleportCertificateFiles,
} from './ssh-certificate.js';
import { parseResolvedConfig } from './ssh-command.js';

const SAMPLE = `/tmp/lab/id_lab-cert.pub:
        Type: ssh-ed25519-cert-v01@openssh.com user certificate
        Public key: ED25519-CERT SHA256:x1wCCA+SXvVsdC8DKKdlHC7oY+kOeisWtv6by++2wJg
        Signing CA: ED25519 SHA256:iCGEjFDP/EWOuLhYg0BCWMZcqC/KPj5oR/2qQbuEBZQ (using ssh-ed25519)
        Key ID: "labuser-2min"
        Serial: 0
        Valid: from 2026-11-26T07:11:00 to 2026-11-26T07:14:10
        Principals: 
                labuser
                ops:admin
        Critical Options: (none)
        Extensions: 
                permit-X11-forwarding
                permit-port-forwarding
`;

test('parseKeygenList: type, key id, principals (one with a colon), validity as local time', () => {
  const c = parseKeygenList(SAMPLE);
  assert.equal(c.type, 'ssh-ed25519-cert-v01@openssh.com user certificate');
  assert.equal(c.keyId, 'labuser-2min');
  assert.deepEqual(c.principals, ['labuser', 'ops:admin']);
  assert.deepEqual(c.validFrom, new Date(2026, 10, 26, 7, 11, 0));
  assert.deepEqual(c.validTo, new Date(2026, 10, 26, 7, 14, 10));
});

test('parseValidity: forever, from/to, after (no end), before (no start), from … to forever', () => {
  assert.deepEqual(parseValidity('forever'), { validFrom: null, validTo: null });
  assert.deepEqual(parseValidity('after 2026-11-26T08:18:03'), { validFrom: new Date(2026, 10, 26, 8, 18, 3), validTo: null });
  assert.deepEqual(parseValidity('before 2026-11-26T10:18:03'), { validFrom: null, validTo: new Date(2026, 10, 26, 10, 18, 3) });
  assert.deepEqual(parseValidity('from 2026-01-02T03:04:05 to forever'), { validFrom: new Date(2026, 0, 2, 3, 4, 5), validTo: null });
  assert.equal(parseValidity('sometimes'), undefined);
  assert.equal(parseValidity('from yesterday to tomorrow'), undefined);
  const forever = parseKeygenList(SAMPLE.replace(/Valid: .*/, 'Valid: forever'));
  assert.equal(forever.validTo, null);
  assert.equal(certificateExpired(forever), false);
  assert.equal(certificateWarning({ ...forever, path: 'x' }), undefined);
});

test('parseLocalTimestamp: local time without zone, with or without seconds; rejects junk', () => {
  assert.deepEqual(parseLocalTimestamp('2026-11-26T07:11'), new Date(2026, 10, 26, 7, 11, 0));
  assert.equal(parseLocalTimestamp('2026-11-26 07:11:00'), null);
  assert.equal(parseLocalTimestamp(''), null);
});

test('parseKeygenList: refuses output without a Valid line', () => {
  assert.throws(() => parseKeygenList('id.pub:1 is not a certificate\n'), /no certificate validity/);
});

test('warnings at T-60 and T-10 minutes, nothing before, nothing after expiry', () => {
  const validTo = new Date(2026, 10, 26, 18, 0, 0);
  const cert = { path: '/home/u/.tsh/keys/jump/u-ssh/jump-cert.pub', validTo };
  const at = (minutesBefore: number): number => validTo.getTime() - minutesBefore * 60_000;
  assert.equal(certificateWarning(cert, at(61)), undefined);
  const w60 = certificateWarning(cert, at(60), 'tsh login --proxy=jump.ecmwf.int');
  assert.match(w60 ?? '', /expires in 60 min \(at 18:00\).*`tsh login --proxy=jump\.ecmwf\.int`/);
  assert.match(certificateWarning(cert, at(9.5)) ?? '', /expires in 10 min/);
  assert.match(certificateWarning(cert, at(0.2)) ?? '', /expires in less than 1 min/);
  assert.equal(certificateWarning(cert, at(-1)), undefined);
});

test('certificateProblem: expired names the time and the login command; not yet valid mentions clock skew', () => {
  const now = new Date(2026, 10, 26, 12, 0, 0).getTime();
  const base = { type: 't', keyId: 'k', principals: [], path: '/c-cert.pub', source: 'ssh-config' as const, mtimeMs: 0 };
  const expired = { ...base, validFrom: new Date(2026, 10, 26, 0, 0), validTo: new Date(2026, 10, 26, 11, 30) };
  assert.equal(certificateProblem(expired, now, 'tsh login --proxy=jump'), 'certificate /c-cert.pub expired at 11:30: run `tsh login --proxy=jump`');
  assert.match(certificateProblem(expired, now) ?? '', /log in again/);
  const future = { ...base, validFrom: new Date(2026, 10, 26, 13, 0), validTo: null };
  assert.equal(certificateNotYetValid(future, now), true);
  assert.match(certificateProblem(future, now) ?? '', /not valid before 13:00 \(clock skew\?\)/);
  assert.equal(certificateProblem({ ...base, validFrom: null, validTo: null }, now), undefined);
  const otherDay = { ...base, validFrom: null, validTo: new Date(2026, 10, 20, 9, 5) };
  assert.match(certificateProblem(otherDay, now) ?? '', /expired at 2026-11-20 09:05/);
});

const dir = mkdtempSync(join(tmpdir(), 'ecflow-remote-certtest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'ca')]);

function makeCert(name: string, validity: string): { key: string; cert: string } {
  const key = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  execFileSync('ssh-keygen', ['-q', '-s', join(dir, 'ca'), '-I', name, '-n', 'alice,bob', '-V', validity, `${key}.pub`]);
  return { key, cert: `${key}-cert.pub` };
}

test('readCertificateFile: real ssh-keygen -L output (always:forever, and a +1h window)', async () => {
  const forever = makeCert('forever', 'always:forever');
  const f = await readCertificateFile(forever.cert, 'route');
  assert.equal(f.validFrom, null);
  assert.equal(f.validTo, null);
  assert.deepEqual(f.principals, ['alice', 'bob']);
  assert.equal(f.keyId, 'forever');
  const hour = makeCert('hour', '-5m:+1h');
  const h = await readCertificateFile(hour.cert, 'route');
  assert.ok(h.validTo !== null && Math.abs(h.validTo.getTime() - (Date.now() + 3600_000)) < 120_000, String(h.validTo));
  await assert.rejects(readCertificateFile(`${hour.key}.pub`, 'route'), /is not a certificate/);
});

test('findCertificate: route file first, then ssh -G certificatefile, then <identityfile>-cert.pub; Teleport layout', async () => {
  const a = makeCert('a', '-5m:+1h');
  const b = makeCert('b', '-5m:+2h');
  const resolved = parseResolvedConfig(`hostname ws\nport 22\nidentityfile ${b.key}\nidentityagent none\n`);
  assert.equal((await findCertificate({ resolved: [resolved], teleportHome: null }))?.path, b.cert);
  assert.equal((await findCertificate({ certificateFile: a.cert, resolved: [resolved], teleportHome: null }))?.path, a.cert);
  const withCertFile = parseResolvedConfig(`hostname ws\ncertificatefile ${a.cert}\nidentityfile ${b.key}\nidentityagent none\n`);
  assert.equal((await findCertificate({ resolved: [withCertFile], teleportHome: null }))?.source, 'ssh-config');
  assert.equal((await findCertificate({ resolved: [withCertFile], teleportHome: null }))?.path, a.cert);

  const tsh = join(dir, 'tsh');
  const certDir = join(tsh, 'keys', 'jump.ecmwf.int', 'alice-ssh');
  mkdirSync(certDir, { recursive: true });
  const t = makeCert('t', '-5m:+12h');
  writeFileSync(join(certDir, 'jump.ecmwf.int-cert.pub'), execFileSync('cat', [t.cert]));
  assert.deepEqual(teleportCertificateFiles(tsh), [
    { path: join(certDir, 'jump.ecmwf.int-cert.pub'), proxy: 'jump.ecmwf.int', user: 'alice', cluster: 'jump.ecmwf.int' },
  ]);
  const nothing = parseResolvedConfig('hostname jump.ecmwf.int\nidentityagent none\nidentityfile /nonexistent/id\n');
  const found = await findCertificate({ resolved: [nothing], teleportHome: tsh });
  assert.equal(found?.source, 'teleport');
  assert.equal(await findCertificate({ resolved: [nothing], teleportHome: null }), undefined);
});
