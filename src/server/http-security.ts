/**
 * The local UI server's gate (house-style "Local server"): a random per-run token, checked on every
 * HTTP request and on the WebSocket upgrade with `timingSafeEqual`; Host checked against DNS
 * rebinding (only `127.0.0.1:<port>` and `localhost:<port>`); Origin checked on the upgrade (a page
 * of another site must not open a socket to us, even with the cookie); security headers on every
 * answer.
 *
 * The token arrives once in the URL (`/?token=…`, printed and opened by the CLI); the first page
 * load swaps it for an HttpOnly SameSite=Strict cookie and redirects to the same address without
 * it, so assets, reloads and deep links work and the token leaves the address bar. Cookies are not
 * per port, so the cookie name carries the port (two UIs on one machine do not overwrite each
 * other's token).
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A new token: 32 random bytes, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison of two tokens of any length (both hashed first). */
export function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined || given === '') return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(token, 'utf8').digest();
  return timingSafeEqual(a, b);
}

export function cookieName(port: number): string {
  return `ecflow_remote_${port}`;
}

/** The Set-Cookie value that carries the token (session cookie, not readable by scripts). */
export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

/** A cookie's value from the Cookie header, or undefined. */
export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The hosts a browser may use to reach us (the Host header, exactly). */
export function allowedHosts(port: number): readonly string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** The origins allowed to open the WebSocket. */
export function allowedOrigins(port: number): readonly string[] {
  return allowedHosts(port).map((h) => `http://${h}`);
}

export function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host;
  return host !== undefined && allowedHosts(port).includes(host.toLowerCase());
}

export function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  return origin !== undefined && allowedOrigins(port).includes(origin.toLowerCase());
}

/** Where the token came from, if a valid one came at all. */
export type TokenCheck = { readonly ok: true; readonly via: 'cookie' | 'query' } | { readonly ok: false; readonly given: boolean };

/** Check the token of a request: the cookie, else `?token=` (constant time, whichever is given). */
export function checkToken(req: IncomingMessage, url: URL, port: number, token: string): TokenCheck {
  const fromCookie = cookieValue(req, cookieName(port));
  const fromQuery = url.searchParams.get('token') ?? undefined;
  if (fromQuery !== undefined && sameToken(fromQuery, token)) return { ok: true, via: 'query' };
  if (fromCookie !== undefined && sameToken(fromCookie, token)) return { ok: true, via: 'cookie' };
  return { ok: false, given: fromCookie !== undefined || fromQuery !== undefined };
}

/** Headers on every answer. */
export function securityHeaders(port: number): Record<string, string> {
  const ws = allowedHosts(port).map((h) => `ws://${h}`).join(' ');
  return {
    'Content-Security-Policy':
      `default-src 'self'; connect-src 'self' ${ws}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; ` +
      `font-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'`,
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}
