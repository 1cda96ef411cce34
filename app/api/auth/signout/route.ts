import { cookies } from 'next/headers';
import { deleteSession, SESSION_COOKIE } from '@/lib/auth/session';
import { getDb } from '@/lib/server/database';
import { checkSameOrigin, errorResponse, json } from '@/lib/server/api';
import { clearSessionCookie } from '@/lib/server/cookies';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  try {
    checkSameOrigin(request);
    await deleteSession(await getDb(), (await cookies()).get(SESSION_COOKIE)?.value);
    return json({ ok: true }, 200, { 'set-cookie': clearSessionCookie() });
  } catch (e) {
    return errorResponse(e);
  }
}
