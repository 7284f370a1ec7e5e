/**
 * Client actions that need the defs model: --get / --get_state (printed as ecflow_client prints
 * them), --why (computed from the defs, like ecflow_client and ecflow_ui) and our --tree-summary.
 */
import { EcflowError, ErrorCode } from '../errors.js';
import { CtsNodeApi } from '../protocol/commands.js';
import { parseDefs, parseNodeText } from '../protocol/defs-parser.js';
import { printDefs, printNode } from '../model/printer.js';
import { Suite } from '../model/node.js';
import { treeSummary, type TreeSummary } from '../model/summary.js';
import { why } from '../model/why.js';
import { NSTATE_NAMES } from '../model/types.js';
import { expectReply, type EcflowClient } from '../client/ecflow-client.js';
import { ServerSession } from '../client/server-session.js';
import type { ActionResult } from './client-actions.js';

export async function getDefsText(client: EcflowClient, style: 'DEFS' | 'STATE'): Promise<ActionResult> {
  const reply = expectReply(await client.request({ cmd: 'CtsNodeCmd', api: CtsNodeApi.GET, absNodePath: '' }), 'DefsCmd');
  const { defs, warnings } = parseDefs(reply.defs);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  return { text: printDefs(defs, style), json: { text: reply.defs } };
}

export async function getNodeText(client: EcflowClient, path: string, style: 'DEFS' | 'STATE'): Promise<ActionResult> {
  if (!path.startsWith('/')) throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `node paths must start with '/': '${path}'`);
  const [reply, version] = await Promise.all([
    client.request({ cmd: 'CtsNodeCmd', api: CtsNodeApi.GET, absNodePath: path }),
    client.serverVersion(),
  ]);
  if (reply.reply === 'DefsCmd') return getDefsText(client, style);
  const text = expectReply(reply, 'SNodeCmd').node;
  const { node, warnings } = parseNodeText(text);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  if (node === undefined) return { text: '', json: { text } };
  // ecflow_client prints a suite as a one-suite defs, and follows any other node with an empty line.
  if (node instanceof Suite) return { text: `#${version}\n${printNode(node, style)}# enddef\n`, json: { text } };
  return { text: `${printNode(node, style)}\n`, json: { text } };
}

/** --why=PATH: full sync, then the reasons computed from the defs ('' or '/' = the server). */
export async function whyText(client: EcflowClient, path: string): Promise<ActionResult> {
  const session = new ServerSession(client);
  await session.connect();
  const defs = session.defs!;
  const node = path === '' || path === '/' ? undefined : defs.findNode(path);
  if (path !== '' && path !== '/' && node === undefined) {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `--why: no node at path '${path}'`);
  }
  const lines = node === undefined ? defs.suites.flatMap((s) => why(defs, s)) : why(defs, node);
  return { text: lines.map((l) => `${l}\n`).join(''), json: { path, reasons: lines } };
}

/** --tree-summary: full sync into our model, then one line of counts (JSON with --json). */
export async function treeSummaryOf(client: EcflowClient, suites: readonly string[]): Promise<ActionResult> {
  const session = new ServerSession(client, suites.length > 0 ? { suites } : {});
  const t0 = performance.now();
  await session.connect();
  const ms = performance.now() - t0;
  const summary = treeSummary(session.defs!);
  await session.close();
  return { text: `${formatSummary(summary)}\n`, json: { ...summary, syncMs: Math.round(ms) } };
}

function formatSummary(s: TreeSummary): string {
  const kinds = `suites=${s.kinds.suite} families=${s.kinds.family} tasks=${s.kinds.task} aliases=${s.kinds.alias}`;
  const states = NSTATE_NAMES.map((n) => `${n}=${s.states[n] ?? 0}`).join(' ');
  return `nodes=${s.total} ${kinds} | ${states}`;
}
