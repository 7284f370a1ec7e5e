/**
 * Self-signed TLS material for ecflow_server `--ssl` tests, made with the real `openssl` CLI.
 *
 * ecflow_server (ECF_SSL=1 / --ssl) reads `$HOME/.ecflowrc/ssl/{server.crt,server.key,dh2048.pem}`
 * (shared/ecflow-protocol.md §13). The DH parameters are the standard RFC 7919 `ffdhe2048` group
 * (`openssl genpkey -genparam … group:ffdhe2048`): instant, PKCS#3 "DH PARAMETERS" PEM that the
 * server accepts, so no slow `openssl dhparam 2048` run and nothing to cache. Fallback for an
 * openssl without named groups: `openssl dhparam -dsaparam 2048` (~0.2 s; also accepted).
 *
 * @example
 *   const m = await makeServerTlsFiles(join(home, '.ecflowrc', 'ssl'));
 *   // m.certPath is what a client trusts (copy it to the client's ~/.ecflowrc/ssl/server.crt)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { runCommand, runOk } from './run.js';

export interface ServerTlsFiles {
  /** `server.crt` — self-signed certificate; clients use it as their trusted CA file. */
  certPath: string;
  /** `server.key` — unencrypted RSA key. */
  keyPath: string;
  /** `dh2048.pem` */
  dhPath: string;
}

export interface TlsOptions {
  /** Certificate CN; default: the machine's host name (ecFlow does not check it anyway). */
  commonName?: string;
  /** Validity in days, default 30. */
  days?: number;
}

/** Writes an RFC 7919 ffdhe2048 DH parameter file (PEM) to `path`. */
export async function writeDhParams(path: string): Promise<void> {
  const r = await runCommand('openssl', [
    'genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'group:ffdhe2048', '-out', path,
  ]);
  if (r.code === 0) return;
  await runOk('openssl', ['dhparam', '-dsaparam', '-out', path, '2048']);
}

/**
 * Creates `server.crt`, `server.key` and `dh2048.pem` in `dir` (created if missing). The
 * certificate also names localhost, 127.0.0.1 and the host name as subjectAltNames, so Node
 * clients may verify host names if they choose to.
 */
export async function makeServerTlsFiles(dir: string, options: TlsOptions = {}): Promise<ServerTlsFiles> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const host = hostname();
  const certPath = join(dir, 'server.crt');
  const keyPath = join(dir, 'server.key');
  const dhPath = join(dir, 'dh2048.pem');
  await runOk('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256',
    '-keyout', keyPath, '-out', certPath,
    '-days', String(options.days ?? 30),
    '-subj', `/CN=${options.commonName ?? host}`,
    '-addext', `subjectAltName=DNS:localhost,DNS:${host},IP:127.0.0.1`,
  ]);
  await writeDhParams(dhPath);
  return { certPath, keyPath, dhPath };
}

/**
 * Makes a client home whose `~/.ecflowrc/ssl/` trusts `certPath`, under the file name the real
 * ecflow_client looks for: `server.crt`, or `<host>.<port>.crt` (with `localhost` replaced by the
 * machine's host name; `127.0.0.1` is NOT replaced — verified with ecflow_client 5.9.2).
 */
export async function installClientCert(
  home: string,
  certPem: string,
  fileName = 'server.crt',
): Promise<string> {
  const dir = join(home, '.ecflowrc', 'ssl');
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const path = join(dir, fileName);
  await writeFile(path, certPem, { mode: 0o644 });
  return path;
}
