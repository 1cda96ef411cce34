import { signIn } from '@/lib/auth/signin';
import { getDb } from '@/lib/db/client';
import { checkSameOrigin, errorResponse, json, readJson } from '@/lib/server/api';
import { sessionCookie } from '@/lib/server/cookies';
import { clientIp } from '@/lib/server/request';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  try {
    checkSameOrigin(request);
    const { token, expiresAt } = await signIn(await getDb(), await readJson(request), clientIp(request));
    return json({ ok: true }, 200, { 'set-cookie': sessionCookie(request, token, expiresAt) });
  } catch (e) {
    return errorResponse(e);
  }
}
