// A project's secret key, which with its API key opens Amplitude's Export API (lib/pull/export-api.ts),
// as Amplitude pairs them. Shown once when made; only its SHA-256 is kept (a random 128-bit key needs
// no slow hash: there is nothing to guess from it). Making a new one replaces the old at once.
import { and, eq } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { withWriteLock } from '../db/write';
import { toHex } from '../util/hash';
import { sha256 } from '../util/sha256';

const hashOf = (secret: string) => toHex(sha256(secret));

/** Makes the project's secret key (replacing any): returns it, the only time it is seen; null if no such project. */
export async function newSecretKey(db: Db, orgId: number, projectId: number, now = Date.now()): Promise<string | null> {
  const secret = toHex(crypto.getRandomValues(new Uint8Array(16)));
  const [p] = await withWriteLock(db, () =>
    db
      .update(s.projects)
      .set({ secretKeyHash: hashOf(secret), secretKeyCreatedAt: now })
      .where(and(eq(s.projects.id, projectId), eq(s.projects.orgId, orgId), eq(s.projects.isPortfolio, false)))
      .returning({ id: s.projects.id }),
  );
  return p ? secret : null;
}

/** The project an API key and secret key open; 'unknown' when no project has the API key, 'wrong' when the secret does not match. */
export async function projectForKeys(db: Db, apiKey: string, secret: string) {
  const [p] = await db.select().from(s.projects).where(eq(s.projects.apiKey, apiKey));
  if (!p) return 'unknown' as const;
  if (!p.secretKeyHash || p.secretKeyHash !== hashOf(secret)) return 'wrong' as const;
  return p;
}
