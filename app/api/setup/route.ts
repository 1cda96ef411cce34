import { createFirstAdmin, hasAnyUser } from '@/lib/auth/accounts';
import { createSession } from '@/lib/auth/session';
import { getDb } from '@/lib/server/database';
import { json, readJson, withPublic } from '@/lib/server/api';
import { sessionCookie } from '@/lib/server/cookies';

export const dynamic = 'force-dynamic';

/** Whether the first-run screen is needed. */
export async function GET() {
  return json({ needsSetup: !(await hasAnyUser(await getDb())) });
}

/** First run: creates the organisation, its admin and a first project, and signs the admin in. */
export const POST = withPublic(async (request, db) => {
  const { user, project } = await createFirstAdmin(db, await readJson(request));
  const { token, expiresAt } = await createSession(db, user.id);
  return json({ ok: true, projectId: project.id }, 201, { 'set-cookie': sessionCookie(request, token, expiresAt) });
});
