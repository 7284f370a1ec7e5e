/**
 * One request sent the way EcflowClient.send does it, but with the phases timed apart: connect,
 * wait for the first reply byte (≈ the server's work), receive the rest of the frame (+ UTF-8
 * decode), then decodeReply (JSON.parse + cereal reading + typing). Used by the bench to split a
 * sync into its parts and to get the reply size, which EcflowClient does not expose.
 */
import { hostname } from 'node:os';
import type { EcflowClient } from '../src/client/ecflow-client.js';
import { encodeRequestFrame, type RequestIdentity, type UserCommand } from '../src/protocol/commands.js';
import { decodeReply, type Reply } from '../src/protocol/replies.js';
import { directConnector } from '../src/transport/tcp.js';
import { exchangeFrame } from '../src/transport/exchange.js';

export interface RawResult {
  reply: Reply;
  /** The JSON payload of the reply (kept so callers can time JSON.parse alone). */
  payload: string;
  /** Reply frame size in bytes (header included). */
  replyBytes: number;
  /** Connect + write + read the whole frame + UTF-8 decode, ms (= connect + firstByte + transfer). */
  exchangeMs: number;
  connectMs: number;
  /** From writing the request to the first reply byte: the server's work (plus ~0.1 ms latency). */
  firstByteMs: number;
  /** From the first to the last reply byte, frame assembly and UTF-8 decode included. */
  transferMs: number;
  /** decodeReply (JSON.parse + cereal + typed reply), ms. */
  decodeMs: number;
}

export async function rawRequest(client: EcflowClient, cmd: UserCommand, timeoutMs = 600_000): Promise<RawResult> {
  const who = await client.identity();
  const identity: RequestIdentity = {
    host: hostname() || 'localhost',
    user: who.user,
    ...(who.passwordHash === undefined ? {} : { passwordHash: who.passwordHash }),
    ...(who.customUser ? { customUser: true } : {}),
  };
  const frame = encodeRequestFrame(cmd, identity);
  const target = { host: client.host, port: client.port };
  const signal = AbortSignal.timeout(timeoutMs);
  const t0 = performance.now();
  const stream = await directConnector(target, signal);
  const tConnected = performance.now();
  let tFirst = NaN;
  const exchange = exchangeFrame(stream, frame, { target, signal });
  stream.once('data', () => {
    tFirst = performance.now();
  });
  const { payload, replyBytes } = await exchange;
  const t1 = performance.now();
  const reply = decodeReply(payload);
  const t2 = performance.now();
  return {
    reply,
    payload,
    replyBytes,
    exchangeMs: t1 - t0,
    connectMs: tConnected - t0,
    firstByteMs: tFirst - tConnected,
    transferMs: t1 - tFirst,
    decodeMs: t2 - t1,
  };
}
