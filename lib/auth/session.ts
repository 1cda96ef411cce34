// Database sessions: the cookie holds a random token, the database only its SHA-256.
import { and, eq, gt } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { withWriteLock } from '../db/write';
import { sha256Hex } from '../util/hash';

export const SESSION_COOKIE = 'spillway_session';
export const SESSION_TTL_MS = 30 * 24 * 3600_000;

export function randomToken(): string {
  const b = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...b))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export async function createSession(db: Db, userId: number): Promise<{ token: string; expiresAt: number }> {
  const token = randomToken();
  const expiresAt = Date.now() + SESSION_TTL_MS;
  const idHash = await sha256Hex(token);
  await withWriteLock(db, () => db.insert(s.sessions).values({ idHash, userId, expiresAt }));
  return { token, expiresAt };
}

export interface SessionUser {
  id: number;
  orgId: number;
  email: string;
  name: string;
  role: 'admin' | 'member';
  orgName: string;
}

export async function userForToken(db: Db, token: string | undefined): Promise<SessionUser | null> {
  if (!token || token.length > 100) return null;
  const idHash = await sha256Hex(token);
  const [row] = await db
    .select({ id: s.users.id, orgId: s.users.orgId, email: s.users.email, name: s.users.name, role: s.users.role, orgName: s.organizations.name })
    .from(s.sessions)
    .innerJoin(s.users, eq(s.users.id, s.sessions.userId))
    .innerJoin(s.organizations, eq(s.organizations.id, s.users.orgId))
    .where(and(eq(s.sessions.idHash, idHash), gt(s.sessions.expiresAt, Date.now())))
    .limit(1);
  return row ?? null;
}

export async function deleteSession(db: Db, token: string | undefined) {
  if (!token) return;
  const idHash = await sha256Hex(token);
  await withWriteLock(db, () => db.delete(s.sessions).where(eq(s.sessions.idHash, idHash)));
}
