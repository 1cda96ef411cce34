// Test data: an organisation with an admin, a member and a project.
import * as s from '../../lib/db/schema';
import type { Db } from '../../lib/db/types';
import { hashPassword } from '../../lib/auth/password';
import { createProject } from '../../lib/projects/projects';
import { freshDatabase } from './db';

export async function seedOrg(db: Db, label = 'org') {
  const [org] = await db
    .insert(s.organizations)
    .values({ name: `${label} inc` })
    .returning();
  const passwordHash = await hashPassword('correct horse battery');
  const tag = `${label}-${crypto.randomUUID().slice(0, 8)}`;
  const [admin] = await db
    .insert(s.users)
    .values({ orgId: org.id, email: `admin-${tag}@example.com`, passwordHash, role: 'admin' })
    .returning();
  const [member] = await db
    .insert(s.users)
    .values({ orgId: org.id, email: `member-${tag}@example.com`, passwordHash, role: 'member' })
    .returning();
  const project = await createProject(db, org.id, `${label} project`);
  return { org, admin, member, project, password: 'correct horse battery' };
}

/** A fresh database (test/support/db.ts) with one organisation seeded: the start of most engine tests. */
export async function freshSeeded(label?: string) {
  const database = await freshDatabase();
  return { database, seed: await seedOrg(database.db, label) };
}

export type Seed = Awaited<ReturnType<typeof seedOrg>>;
