/**
 * Test-only: a tiny TCP server that speaks like ecflow_logsvr (one line in, bytes out, close), on
 * 127.0.0.1 and a port chosen by the kernel. Unit tests use it to replay captured exchanges and to
 * provoke what the real server rarely does (silence, slow chunks, replaced files with real SHA-1s).
 * Integration tests use the real /usr/sbin/ecflow_logsvr instead.
 */

import { createServer, type Socket } from 'node:net';

/** What the fake log server does with one request line. */
export type FakeAnswer =
  | Uint8Array
  /** Never answer (for timeouts). */
  | { readonly hang: true }
  /** Send these chunks `delayMs` apart, then close. */
  | { readonly chunks: readonly Uint8Array[]; readonly delayMs: number };

export interface FakeLogServer {
  readonly port: number;
  /** Every request line received, without its newline. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * Start a fake log server; `answer` maps each request line (without newline) to a reply.
 *
 * @example
 * const srv = await fakeLogServer((line) => new TextEncoder().encode(line === 'version' ? '2' : ''));
 */
export async function fakeLogServer(answer: (line: string) => FakeAnswer): Promise<FakeLogServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = '';
    let answered = false;
    socket.on('data', (d: Buffer) => {
      if (answered) return;
      buf += d.toString('latin1');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      answered = true;
      const line = buf.slice(0, nl);
      requests.push(line);
      const a = answer(line);
      if (a instanceof Uint8Array) socket.end(a);
      else if ('chunks' in a) {
        let i = 0;
        const next = () => {
          if (socket.destroyed) return;
          if (i === a.chunks.length) socket.end();
          else {
            socket.write(a.chunks[i++]!);
            setTimeout(next, a.delayMs);
          }
        };
        next();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
