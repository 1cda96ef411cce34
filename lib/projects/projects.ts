// Projects and their ingestion API keys. Portfolio projects have no key: they cannot receive events
// and cannot be export sources.
import { and, eq } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db, DbOrTx } from '../db/types';
import { withWriteLock } from '../db/write';
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

export async function rotateApiKey(db: Db, orgId: number, projectId: number) {
  const [p] = await withWriteLock(db, () =>
    db
      .update(s.projects)
      .set({ apiKey: newApiKey() })
      .where(and(eq(s.projects.id, projectId), eq(s.projects.orgId, orgId), eq(s.projects.isPortfolio, false)))
      .returning(),
  );
  return p && shown(p);
}

type Project = typeof s.projects.$inferSelect;

/** A project as the browser sees it: the secret key's hash never leaves the server, only whether one exists. */
export function shown(p: Project) {
  const { secretKeyHash, ...rest } = p;
  return { ...rest, hasSecretKey: secretKeyHash !== null };
}

export async function listProjects(db: DbOrTx, orgId: number) {
  return db.select().from(s.projects).where(eq(s.projects.orgId, orgId)).orderBy(s.projects.id);
}

/** The organisation's projects as `role` may see them: members see that a key exists, admins the key. */
export async function projectsFor(db: Db, orgId: number, role: 'admin' | 'member') {
  const projects = await listProjects(db, orgId);
  return projects.map((row) => {
    const p = shown(row);
    return { ...p, apiKey: role === 'admin' ? p.apiKey : p.apiKey ? '••••••••' : null };
  });
}

/** The Projects page's "Create": `{name, isPortfolio?}`. */
export async function addProject(db: Db, orgId: number, body: Record<string, unknown>) {
  if (typeof body.name !== 'string') throw new InputError('name is required');
  if (body.isPortfolio !== undefined && typeof body.isPortfolio !== 'boolean') throw new InputError('isPortfolio must be true or false');
  const name = body.name;
  return shown(await withWriteLock(db, () => createProject(db, orgId, name, { isPortfolio: body.isPortfolio === true })));
}

/** Sets the origins browsers may send this project's events from (null: any). */
export async function setAllowedOrigins(db: Db, orgId: number, projectId: number, input: unknown) {
  let origins: string[] | null;
  try {
    origins = parseAllowedOrigins(input);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
  const [p] = await withWriteLock(db, () =>
    db
      .update(s.projects)
      .set({ allowedOrigins: origins ? JSON.stringify(origins) : null })
      .where(and(eq(s.projects.id, projectId), eq(s.projects.orgId, orgId), eq(s.projects.isPortfolio, false)))
      .returning(),
  );
  return p && shown(p);
}
