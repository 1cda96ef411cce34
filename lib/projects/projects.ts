// Projects and their ingestion API keys. Portfolio projects have no key: they cannot receive events
// and cannot be export sources.
import { and, eq } from 'drizzle-orm';
import * as s from '../db/schema';
import type { DbOrTx } from '../db/types';
import { toHex } from '../util/hash';
import { InputError } from '../util/errors';
import { parseAllowedOrigins } from '../ingest/cors';

export function newApiKey(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(16)));
}

export async function createProject(db: DbOrTx, orgId: number, name: string, opts: { isPortfolio?: boolean } = {}) {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 100) throw new InputError('Project name must be 1 to 100 characters');
  const [p] = await db
    .insert(s.projects)
    .values({ orgId, name: trimmed, isPortfolio: !!opts.isPortfolio, apiKey: opts.isPortfolio ? null : newApiKey() })
    .returning();
  return p;
}

export async function rotateApiKey(db: DbOrTx, orgId: number, projectId: number) {
  const [p] = await db
    .update(s.projects)
    .set({ apiKey: newApiKey() })
    .where(and(eq(s.projects.id, projectId), eq(s.projects.orgId, orgId), eq(s.projects.isPortfolio, false)))
    .returning();
  return p;
}

export async function listProjects(db: DbOrTx, orgId: number) {
  return db.select().from(s.projects).where(eq(s.projects.orgId, orgId)).orderBy(s.projects.id);
}

/** Sets the origins browsers may send this project's events from (null: any). */
export async function setAllowedOrigins(db: DbOrTx, orgId: number, projectId: number, input: unknown) {
  let origins: string[] | null;
  try {
    origins = parseAllowedOrigins(input);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
  const [p] = await db
    .update(s.projects)
    .set({ allowedOrigins: origins ? JSON.stringify(origins) : null })
    .where(and(eq(s.projects.id, projectId), eq(s.projects.orgId, orgId), eq(s.projects.isPortfolio, false)))
    .returning();
  return p;
}
