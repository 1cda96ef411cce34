// The sign-in rule: cheap checks first (input, then the failure counters), one password check that
// costs the same for known and unknown emails, and a session. Limits: 5 failures per (client,
// account) and 50 per client in 15 minutes; the correct password from another client always works.
import { eq } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { AppError, InputError } from '../util/errors';
import { normalizeEmail } from './accounts';
import { verifyPassword } from './password';
import { clearFailures, overLimit, recordFailure } from './ratelimit';
import { createSession } from './session';

export const SIGNIN_WINDOW_MS = 15 * 60_000;
export const FAILURES_PER_ACCOUNT_AND_CLIENT = 5;
export const FAILURES_PER_CLIENT = 50;

export class TooManyAttempts extends AppError {
  constructor(message: string) {
    super('too_many_requests', message);
  }
}
export class WrongCredentials extends AppError {
  constructor(message: string) {
    super('unauthorized', message);
  }
}

export async function signIn(db: Db, input: Record<string, unknown>, client: string | null) {
  const email = normalizeEmail(input.email);
  const password = typeof input.password === 'string' ? input.password : '';
  if (!email || !password) throw new InputError('Enter your email and password');
  const who = client ?? 'unknown';
  const pairKey = `signin:${who}:${email}`;
  const clientKey = `signin:${who}`;
  if (overLimit(pairKey, FAILURES_PER_ACCOUNT_AND_CLIENT, SIGNIN_WINDOW_MS) || overLimit(clientKey, FAILURES_PER_CLIENT, SIGNIN_WINDOW_MS)) {
    throw new TooManyAttempts('Too many failed sign-in attempts from here; wait 15 minutes and try again');
  }
  const [user] = await db.select().from(s.users).where(eq(s.users.email, email)).limit(1);
  if (!(await verifyPassword(user?.passwordHash ?? null, password.slice(0, 256))) || !user) {
    recordFailure([pairKey, clientKey], SIGNIN_WINDOW_MS);
    throw new WrongCredentials('Wrong email or password');
  }
  clearFailures(pairKey);
  return createSession(db, user.id);
}
