// Organisations, users and roles.
import { count, eq } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { writeTx } from '../db/write';
import { createProject } from '../projects/projects';
import { InputError } from '../util/errors';
import { checkPasswordPolicy, hashPassword } from './password';

const EMAIL_RE = /^[^\s@<>()]{1,64}@[^\s@<>()]{1,190}\.[^\s@<>()]{2,63}$/;

export function normalizeEmail(email: unknown): string | null {
  if (typeof email !== 'string') return null;
  const e = email.trim().toLowerCase();
  return EMAIL_RE.test(e) ? e : null;
}

export async function hasAnyUser(db: Db): Promise<boolean> {
  const [{ n }] = await db.select({ n: count() }).from(s.users);
  return n > 0;
}

export interface FirstRunInput {
  orgName: string;
  email: string;
  password: string;
  name?: string;
  projectName?: string;
}

/**
 * Creates the first organisation, its admin and a first project. Refuses once any user exists,
 * so it cannot be used to take over an installed app.
 */
export async function createFirstAdmin(db: Db, raw: FirstRunInput | Record<string, unknown>) {
  // the set-up form's JSON, or the env's first admin: anything not text is treated as missing
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const input: FirstRunInput = {
    orgName: text(raw.orgName) ?? '',
    email: text(raw.email) ?? '',
    password: text(raw.password) ?? '',
    name: text(raw.name),
    projectName: text(raw.projectName),
  };
  const email = normalizeEmail(input.email);
  if (!email) throw new InputError('Enter a valid email address');
  const pw = checkPasswordPolicy(input.password);
  if (pw) throw new InputError(pw);
  const orgName = String(input.orgName ?? '').trim();
  if (!orgName || orgName.length > 100) throw new InputError('Organisation name must be 1 to 100 characters');
  // the cheap check before the password hash: after set-up this door costs nothing
  if (await hasAnyUser(db)) throw new InputError('Spillway is already set up: sign in instead');
  const passwordHash = await hashPassword(input.password);
  return writeTx(db, async (tx) => {
    const [{ n }] = await tx.select({ n: count() }).from(s.users);
    if (n > 0) throw new InputError('Spillway is already set up: sign in instead');
    const [org] = await tx.insert(s.organizations).values({ name: orgName }).returning();
    const [user] = await tx
      .insert(s.users)
      .values({
        orgId: org.id,
        email,
        name: String(input.name ?? '')
          .trim()
          .slice(0, 100),
        passwordHash,
        role: 'admin',
      })
      .returning();
    const project = await createProject(tx, org.id, input.projectName?.trim() || 'My first project');
    return { org, user, project };
  });
}

export async function usersOfOrg(db: Db, orgId: number) {
  return db.select({ id: s.users.id, email: s.users.email, name: s.users.name, role: s.users.role }).from(s.users).where(eq(s.users.orgId, orgId));
}
