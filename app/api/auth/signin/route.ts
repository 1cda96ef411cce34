import { eq } from 'drizzle-orm';
import { normalizeEmail } from '@/lib/auth/accounts';
import { verifyPassword } from '@/lib/auth/password';
import { tooManyAttempts } from '@/lib/auth/ratelimit';
import { createSession } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { users } from '@/lib/db/schema';
import { checkSameOrigin, errorResponse, HttpError, json, readJson } from '@/lib/server/api';
import { sessionCookie } from '@/lib/server/cookies';
import { clientIp } from '@/lib/server/request';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  try {
    checkSameOrigin(request);
    const b = await readJson(request);
    const email = normalizeEmail(b.email);
    const password = typeof b.password === 'string' ? b.password : '';
    if (!email || !password) throw new HttpError(400, 'Enter your email and password');
    if (tooManyAttempts(`email:${email}`, 10, 15 * 60_000) || tooManyAttempts(`ip:${clientIp(request)}`, 50, 15 * 60_000)) {
      throw new HttpError(429, 'Too many sign-in attempts; wait 15 minutes and try again');
    }
    const db = await getDb();
    const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
    if (!user || !(await verifyPassword(user.passwordHash, password.slice(0, 256)))) throw new HttpError(401, 'Wrong email or password');
    const { token, expiresAt } = await createSession(db, user.id);
    return json({ ok: true }, 200, { 'set-cookie': sessionCookie(request, token, expiresAt) });
  } catch (e) {
    return errorResponse(e);
  }
}
