// Route-handler plumbing for the UI's JSON API: session and role checks, same-origin checks on
// state-changing requests (CSRF), JSON bodies with size caps, and clear 4xx errors.
import { cookies } from 'next/headers';
import { getDb } from './database';
import type { Db } from '../db/types';
import { SESSION_COOKIE, userForToken, type SessionUser } from '../auth/session';
import { requestHost } from './request';
import { parseBounded, ShapeError } from '../util/bounded-json';
import { AppError, codeFor } from '../util/errors';

/** An error a route handler raises by HTTP status (the same table as every lib/ error). */
export class HttpError extends AppError {
  constructor(status: number, message: string, details?: Record<string, unknown>) {
    super(codeFor(status), message, details);
  }
}

export const json = (data: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(data), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } });

/** Rejects cross-site state-changing requests: Origin (or Referer) must match the Host. */
export function checkSameOrigin(request: Request) {
  if (request.method === 'GET' || request.method === 'HEAD') return;
  const host = requestHost(request);
  const origin = request.headers.get('origin') ?? request.headers.get('referer');
  if (!origin || !host) throw new HttpError(403, 'Cross-site request refused: missing Origin header');
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new HttpError(403, 'Cross-site request refused: bad Origin header');
  }
  if (originHost !== host) throw new HttpError(403, 'Cross-site request refused');
}

// the admin API's bodies are small forms: nothing in them nests deeper than a policy document
const ADMIN_JSON_LIMITS = { maxKeys: 1_000, maxItems: 1_000, maxNodes: 20_000, maxDepth: 24 };

export async function readJson(request: Request, maxBytes = 64 * 1024): Promise<Record<string, unknown>> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/json')) throw new HttpError(415, 'Send a JSON body (Content-Type: application/json)');
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new HttpError(413, 'Request body too large');
  const text = await request.text();
  if (text.length > maxBytes) throw new HttpError(413, 'Request body too large');
  let body: unknown;
  try {
    body = parseBounded(text, ADMIN_JSON_LIMITS);
  } catch (e) {
    if (e instanceof ShapeError) throw new HttpError(400, `Request body refused: ${e.message}`);
    throw new HttpError(400, 'Request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'Request body must be a JSON object');
  return body as Record<string, unknown>;
}

export interface Ctx {
  db: Db;
  user: SessionUser;
}

type Role = 'member' | 'admin';

/** Wraps a route open to anyone (sign-in, set-up, invitations): same-origin for writes, errors as JSON. */
export function withPublic(handler: (request: Request, db: Db) => Promise<Response>) {
  return async (request: Request) => {
    try {
      checkSameOrigin(request);
      return await handler(request, await getDb());
    } catch (e) {
      return errorResponse(e);
    }
  };
}

/** The signed-in user of this request, or null. */
export async function sessionUser(db: Db): Promise<SessionUser | null> {
  return (await userForToken(db, (await cookies()).get(SESSION_COOKIE)?.value)) ?? null;
}

/** Wraps a handler: session required (role at least `role`), same-origin for writes, errors as JSON. */
export function withUser<P>(role: Role, handler: (request: Request, ctx: Ctx, params: P) => Promise<Response>) {
  return async (request: Request, route: { params: Promise<P> }) => {
    try {
      checkSameOrigin(request);
      const db = await getDb();
      const user = await sessionUser(db);
      if (!user) throw new HttpError(401, 'Sign in first');
      if (role === 'admin' && user.role !== 'admin') throw new HttpError(403, 'Only an admin of this organisation can do this');
      return await handler(request, { db, user }, await route.params);
    } catch (e) {
      return errorResponse(e);
    }
  };
}

export function errorResponse(e: unknown): Response {
  if (e instanceof AppError) {
    const retry = e.code === 'busy' || e.code === 'too_many_requests' ? { 'retry-after': '5' } : undefined;
    return json({ error: e.message, ...e.details }, e.status, retry);
  }
  console.error('request failed:', (e as Error)?.message ?? e);
  return json({ error: 'Internal error' }, 500);
}

/** Parses a positive integer id from a route parameter, 404 otherwise. */
export function idParam(v: unknown): number {
  const n = typeof v === 'string' && /^\d{1,12}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new HttpError(404, 'Not found');
  return n;
}
