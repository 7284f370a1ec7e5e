/**
 * The SSH side of the lab (shared/connectivity-notes.md §1.0): a user CA, host keys for the jump
 * host and the workstation, the home user's key and short-lived certificates, the two sshd
 * configurations and the home ssh_config + known_hosts.
 *
 * Files (all under `<lab dir>/ssh/`, owned by root; the home side runs ssh as root):
 *   ca, ca.pub                         user CA (TrustedUserCAKeys of both sshd)
 *   jump_hostkey(.pub), ws_hostkey(.pub), other_hostkey(.pub)  (the last one for wrongHostKey())
 *   sshd_jump.conf / sshd_ws.conf, sshd_jump.log / sshd_ws.log (LogLevel VERBOSE: "Certificate invalid: expired")
 *   home/id_ecuser, id_ecuser.pub, id_ecuser-cert.pub, ssh_config, known_hosts
 *
 * Certificates are written to a temporary name and renamed over `id_ecuser-cert.pub`, so a reader
 * (or a file watcher) never sees half a certificate — like `tsh login` replacing its cert.
 */
import { chmod, copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOk } from '../run.js';
import { LAB_ADDRESSES, LAB_NAMES } from './netns.js';

export interface CertificateOptions {
  /**
   * Relative end of validity as ssh-keygen writes it: `'+5m'` = valid from 5 minutes ago until 5
   * minutes from now; `'-1m'` = already expired (valid from 1 day ago until 1 minute ago).
   * Default `'+1h'`.
   */
  validFor?: string;
  /** Full `ssh-keygen -V` interval instead (e.g. `'+1h:+2h'` = not yet valid). Wins over validFor. */
  validity?: string;
  /** Principals (login names the certificate is good for). Default: the centre user. */
  principals?: readonly string[];
  /** Key id written into the certificate (shows up in sshd's log). Default `<user>-<serial>`. */
  keyId?: string;
}

export interface IssuedCertificate {
  /** The certificate file (always the same path: the user's CertificateFile). */
  file: string;
  keyId: string;
  serial: number;
  /** The `-V` interval used. */
  validity: string;
  /** `Valid: from … to …` as `ssh-keygen -L` prints it (local time). */
  validText: string;
}

export interface SshLabFiles {
  dir: string;
  caKey: string;
  caPub: string;
  jumpHostKey: string;
  wsHostKey: string;
  otherHostKey: string;
  jumpConfig: string;
  wsConfig: string;
  jumpLog: string;
  wsLog: string;
  /** Home user's files. */
  homeDir: string;
  privateKey: string;
  publicKey: string;
  certificate: string;
  sshConfig: string;
  knownHosts: string;
  /** The correct known_hosts text. */
  knownHostsText: string;
  /** Public host key lines ("ssh-ed25519 AAAA…"). */
  hostKeys: { jump: string; workstation: string; other: string };
}

const keygen = (file: string, comment: string) =>
  runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { timeoutMs: 20_000 });

function sshdConfig(f: { port: number; address: string; hostKey: string; pidFile: string; caPub: string }): string {
  return `# ecflow-remote centre lab (test/helpers/lab/ssh-lab.ts)
Port ${f.port}
ListenAddress ${f.address}
HostKey ${f.hostKey}
PidFile ${f.pidFile}
TrustedUserCAKeys ${f.caPub}
AuthorizedKeysFile none
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UsePAM no
AllowTcpForwarding yes
AllowStreamLocalForwarding yes
StreamLocalBindUnlink yes
GatewayPorts no
X11Forwarding no
PrintMotd no
PrintLastLog no
LoginGraceTime 20
MaxStartups 100
MaxSessions 100
LogLevel VERBOSE
Subsystem sftp internal-sftp
`;
}

function homeSshConfig(f: { user: string; key: string; cert: string; knownHosts: string }): string {
  return `# ecflow-remote centre lab: the home side (run ssh as root inside the home namespace)
Host jump
  HostName ${LAB_NAMES.jump}
Host ws
  HostName ${LAB_NAMES.workstation}
  ProxyJump jump
Host *
  User ${f.user}
  IdentityFile ${f.key}
  CertificateFile ${f.cert}
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile ${f.knownHosts}
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  UpdateHostKeys no
  CheckHostIP no
  BatchMode yes
  ConnectTimeout 5
`;
}

/** known_hosts lines; `wrong` swaps in the spare key for that host. */
export function knownHostsText(keys: SshLabFiles['hostKeys'], wrong?: 'jump' | 'ws'): string {
  const jump = wrong === 'jump' ? keys.other : keys.jump;
  const ws = wrong === 'ws' ? keys.other : keys.workstation;
  return `${LAB_NAMES.jump},${LAB_ADDRESSES.jump} ${jump}\n${LAB_NAMES.workstation},${LAB_ADDRESSES.workstation} ${ws}\n`;
}

/** Generates keys and writes every configuration file (no certificate yet). */
export async function makeSshLabFiles(labDir: string, user: string): Promise<SshLabFiles> {
  const dir = join(labDir, 'ssh');
  const homeDir = join(labDir, 'home');
  await mkdir(dir, { mode: 0o700 });
  await mkdir(homeDir, { mode: 0o700 });
  const f = {
    dir,
    caKey: join(dir, 'ca'),
    caPub: join(dir, 'ca.pub'),
    jumpHostKey: join(dir, 'jump_hostkey'),
    wsHostKey: join(dir, 'ws_hostkey'),
    otherHostKey: join(dir, 'other_hostkey'),
    jumpConfig: join(dir, 'sshd_jump.conf'),
    wsConfig: join(dir, 'sshd_ws.conf'),
    jumpLog: join(dir, 'sshd_jump.log'),
    wsLog: join(dir, 'sshd_ws.log'),
    homeDir,
    privateKey: join(homeDir, `id_${user}`),
    publicKey: join(homeDir, `id_${user}.pub`),
    certificate: join(homeDir, `id_${user}-cert.pub`),
    sshConfig: join(homeDir, 'ssh_config'),
    knownHosts: join(homeDir, 'known_hosts'),
  };
  await Promise.all([
    keygen(f.caKey, 'ecflow-remote lab user CA'),
    keygen(f.jumpHostKey, 'jump host key'),
    keygen(f.wsHostKey, 'workstation host key'),
    keygen(f.otherHostKey, 'some other host key'),
    keygen(f.privateKey, `${user}@home`),
  ]);
  const pub = async (p: string): Promise<string> =>
    (await readFile(`${p}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
  const hostKeys = { jump: await pub(f.jumpHostKey), workstation: await pub(f.wsHostKey), other: await pub(f.otherHostKey) };
  const khText = knownHostsText(hostKeys);
  await Promise.all([
    writeFile(
      f.jumpConfig,
      sshdConfig({ port: 22, address: LAB_ADDRESSES.jump, hostKey: f.jumpHostKey, pidFile: join(dir, 'sshd_jump.pid'), caPub: f.caPub }),
    ),
    writeFile(
      f.wsConfig,
      sshdConfig({ port: 22, address: LAB_ADDRESSES.workstation, hostKey: f.wsHostKey, pidFile: join(dir, 'sshd_ws.pid'), caPub: f.caPub }),
    ),
    writeFile(
      f.sshConfig,
      homeSshConfig({ user, key: f.privateKey, cert: f.certificate, knownHosts: f.knownHosts }),
      { mode: 0o600 },
    ),
    writeFile(f.knownHosts, khText, { mode: 0o600 }),
  ]);
  return { ...f, knownHostsText: khText, hostKeys };
}

/**
 * Signs the user's public key with the CA and replaces the certificate file atomically.
 * `serial` should grow with each call (the lab counts).
 */
export async function issueCertificate(
  f: SshLabFiles,
  user: string,
  serial: number,
  options: CertificateOptions = {},
): Promise<IssuedCertificate> {
  const validFor = options.validFor ?? '+1h';
  if (options.validity === undefined && !/^[+-]\d+[smhdw]?$/.test(validFor)) {
    throw new Error(`issueCertificate: validFor must look like '+5m' or '-1m', got '${validFor}'`);
  }
  const validity = options.validity ?? (validFor.startsWith('-') ? `-1d:${validFor}` : `-5m:${validFor}`);
  const keyId = options.keyId ?? `${user}-${serial}`;
  const principals = (options.principals ?? [user]).join(',');
  const tmpBase = join(f.homeDir, `.issue-${serial}`);
  await copyFile(f.publicKey, `${tmpBase}.pub`);
  try {
    const args = ['-q', '-s', f.caKey, '-I', keyId, '-n', principals, '-z', String(serial), '-V', validity, `${tmpBase}.pub`];
    await runOk('ssh-keygen', args, { timeoutMs: 20_000 });
    await chmod(`${tmpBase}-cert.pub`, 0o644);
    await rename(`${tmpBase}-cert.pub`, f.certificate);
  } finally {
    await rm(`${tmpBase}.pub`, { force: true });
    await rm(`${tmpBase}-cert.pub`, { force: true });
  }
  const shown = await runOk('ssh-keygen', ['-L', '-f', f.certificate], { timeoutMs: 20_000 });
  const validText = /Valid: (.*)/.exec(shown.stdout)?.[1]?.trim() ?? '';
  return { file: f.certificate, keyId, serial, validity, validText };
}
