// Invitations: an admin invites an email with a role; the link carries a random token (only its hash
// is stored), valid 7 days, usable once. Accepting creates the user in the inviting organisation.
import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { writeTx } from '../db/write';
import { AppError, InputError } from '../util/errors';
import { normalizeEmail } from './accounts';
import { checkPasswordPolicy, hashPassword } from './password';
import { sha256Hex } from '../util/hash';
import { randomToken } from './session';
import { overLimit, recordFailure } from './ratelimit';
import { TooManyAttempts } from './signin';

export const INVITE_TTL_MS = 7 * 24 * 3600_000;

export async function invite(db: Db, orgId: number, invitedBy: number, emailRaw: unknown, roleRaw: unknown, now = Date.now()) {
  const email = normalizeEmail(emailRaw);
  if (!email) throw new InputError('Enter a valid email address');
  if (roleRaw !== 'admin' && roleRaw !== 'member') throw new InputError('role must be admin or member');
  const [existing] = await db.select({ id: s.users.id }).from(s.users).where(eq(s.users.email, email));
  if (existing) throw new InputError('A user with this email already exists');
  const token = randomToken();
  const tokenHash = await sha256Hex(token);
  await writeTx(db, (tx) => tx.insert(s.invitations).values({ tokenHash, orgId, email, role: roleRaw, invitedBy, expiresAt: now + INVITE_TTL_MS }));
  return { token, email, role: roleRaw, expiresAt: now + INVITE_TTL_MS };
}

export async function pendingInvitations(db: Db, orgId: number, now = Date.now()) {
  return db
    .select({ email: s.invitations.email, role: s.invitations.role, expiresAt: s.invitations.expiresAt, tokenHash: s.invitations.tokenHash })
    .from(s.invitations)
    .where(and(eq(s.invitations.orgId, orgId), isNull(s.invitations.acceptedAt), gt(s.invitations.expiresAt, now)))
    .orderBy(desc(s.invitations.expiresAt));
}

export async function revokeInvitation(db: Db, orgId: number, tokenHash: string) {
  await writeTx(db, (tx) => tx.delete(s.invitations).where(and(eq(s.invitations.orgId, orgId), eq(s.invitations.tokenHash, tokenHash))));
}

const INVITATION_GONE = 'This invitation has expired or was already used: ask an admin for a new one';
const INVITE_WINDOW_MS = 15 * 60_000;
const INVITE_FAILURES_PER_CLIENT = 30;

/**
 * The invitation page's request: `{token}` tells who is invited, `{token, password, name?}` creates
 * the user. Unknown tokens count as failures of the client (30 per 15 minutes).
 */
export async function answerInvitation(db: Db, body: Record<string, unknown>, client: string | null) {
  const key = `invite:${client ?? 'unknown'}`;
  if (overLimit(key, INVITE_FAILURES_PER_CLIENT, INVITE_WINDOW_MS)) throw new TooManyAttempts('Too many attempts; wait 15 minutes and try again');
  try {
    if (body.password === undefined) {
      const inv = await lookupInvitation(db, body.token);
      if (!inv) throw new InvitationGone(INVITATION_GONE);
      return { invitation: { email: inv.email, role: inv.role, orgName: inv.orgName } };
    }
    return { user: await acceptInvitation(db, body.token, body.password, body.name) };
  } catch (e) {
    if (e instanceof InvitationGone || (e instanceof InputError && e.message === INVITATION_GONE)) recordFailure([key], INVITE_WINDOW_MS);
    throw e;
  }
}

export class InvitationGone extends AppError {
  constructor(message: string) {
    super('not_found', message);
  }
}

/** What the accept page shows before the user picks a password. */
export async function lookupInvitation(db: Db, token: unknown, now = Date.now()) {
  if (typeof token !== 'string' || token.length < 20 || token.length > 100) return null;
  const [row] = await db
    .select({
      email: s.invitations.email,
      role: s.invitations.role,
      orgName: s.organizations.name,
      acceptedAt: s.invitations.acceptedAt,
      expiresAt: s.invitations.expiresAt,
    })
    .from(s.invitations)
    .innerJoin(s.organizations, eq(s.organizations.id, s.invitations.orgId))
    .where(eq(s.invitations.tokenHash, await sha256Hex(token)));
  if (!row || row.acceptedAt !== null || row.expiresAt <= now) return null;
  return row;
}

export async function acceptInvitation(db: Db, token: unknown, password: unknown, name: unknown, now = Date.now()) {
  if (typeof password !== 'string') throw new InputError('Choose a password');
  const pw = checkPasswordPolicy(password);
  if (pw) throw new InputError(pw);
  if (typeof token !== 'string' || token.length > 100) throw new InputError('This invitation link is not valid');
  // the invitation is checked before the password is hashed: a made-up token costs no hashing
  if (!(await lookupInvitation(db, token, now))) throw new InputError(INVITATION_GONE);
  const tokenHash = await sha256Hex(token);
  const passwordHash = await hashPassword(password);
  return writeTx(db, async (tx) => {
    const [inv] = await tx.select().from(s.invitations).where(eq(s.invitations.tokenHash, tokenHash));
    if (!inv || inv.acceptedAt !== null || inv.expiresAt <= now) throw new InputError(INVITATION_GONE);
    const [taken] = await tx.select({ id: s.users.id }).from(s.users).where(eq(s.users.email, inv.email));
    if (taken) throw new InputError('A user with this email already exists: sign in instead');
    const [user] = await tx
      .insert(s.users)
      .values({ orgId: inv.orgId, email: inv.email, name: typeof name === 'string' ? name.trim().slice(0, 100) : '', passwordHash, role: inv.role })
      .returning();
    await tx.update(s.invitations).set({ acceptedAt: now }).where(eq(s.invitations.tokenHash, tokenHash));
    return user;
  });
}
