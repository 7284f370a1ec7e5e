/**
 * Messages between the main thread and the sync worker (web/src/worker/sync-worker.ts), which owns
 * the WebSocket: it parses every message off the main thread, checks `seq`, decodes snapshots into
 * typed arrays and runs searches over its own copy of the trees.
 */

import type { ClientMessage, ServerInfo, ServerMessage } from '../../../src/server/ui-protocol.js';
import type { SearchHit, SearchQuery } from '../search/search-query.js';
import type { DecodedTree } from '../tree/snapshot-decode.js';

export type ToWorker =
  /** Open (or re-open) the socket at this URL; reconnects with backoff until `close`. */
  | { readonly t: 'connect'; readonly url: string }
  /** Reconnect now (skips the remaining backoff). */
  | { readonly t: 'reconnect-now' }
  | { readonly t: 'close' }
  | { readonly t: 'send'; readonly msg: ClientMessage }
  | { readonly t: 'search'; readonly id: number; readonly query: SearchQuery }
  | { readonly t: 'search-cancel'; readonly id: number };

export type SocketState = 'connecting' | 'open' | 'closed';

export type FromWorker =
  | {
      readonly t: 'socket';
      readonly state: SocketState;
      /** Failed attempts since the last good connection. */
      readonly attempt: number;
      /** When closed: the next attempt starts in this many ms. */
      readonly retryInMs?: number;
      readonly reason?: string;
    }
  /** welcome, servers, health and response messages, as received. */
  | { readonly t: 'message'; readonly msg: ServerMessage }
  | {
      readonly t: 'snapshot';
      readonly server: string;
      readonly epoch: number;
      readonly seq: number;
      readonly info: ServerInfo;
      readonly tree: DecodedTree;
      /** Size of the message text (UTF-16 code units). */
      readonly chars: number;
      readonly parseMs: number;
      readonly decodeMs: number;
    }
  /**
   * Deltas of one server received since the last post, merged (≤ 10 per second): `nodes` are the
   * concatenated [index, stateChar, flags] triples in arrival order, `attributes` the union.
   */
  | {
      readonly t: 'deltas';
      readonly server: string;
      readonly epoch: number;
      readonly seq: number;
      readonly info?: ServerInfo;
      readonly nodes: readonly number[];
      readonly attributes: readonly number[];
      /** Sparse [index, count, …] / [index, dstate, …] in arrival order (later pairs win). */
      readonly attributeCounts: readonly number[];
      readonly defStatus: readonly number[];
      readonly count: number;
    }
  /** The worker asked for a new snapshot (seq gap, other epoch). */
  | { readonly t: 'resync'; readonly server: string; readonly reason: string }
  | {
      readonly t: 'search-results';
      readonly id: number;
      readonly hits: readonly SearchHit[];
      readonly done: boolean;
      /** Nodes looked at so far, of `total`. */
      readonly scanned: number;
      readonly total: number;
      readonly truncated?: boolean;
      readonly error?: string;
    };
