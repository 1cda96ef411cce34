import { signIn } from '@/lib/auth/signin';
import { json, readJson, withPublic } from '@/lib/server/api';
import { sessionCookie } from '@/lib/server/cookies';
import { clientIp } from '@/lib/server/request';

export const dynamic = 'force-dynamic';

export const POST = withPublic(async (request, db) => {
  const { token, expiresAt } = await signIn(db, await readJson(request), clientIp(request));
  return json({ ok: true }, 200, { 'set-cookie': sessionCookie(request, token, expiresAt) });
});
