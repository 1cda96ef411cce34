import { createFirstAdmin, hasAnyUser } from '@/lib/auth/accounts';
import { createSession } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { checkSameOrigin, errorResponse, json, readJson } from '@/lib/server/api';
import { sessionCookie } from '@/lib/server/cookies';

export const dynamic = 'force-dynamic';

/** Whether the first-run screen is needed. */
export async function GET() {
  return json({ needsSetup: !(await hasAnyUser(await getDb())) });
}

/** First run: creates the organisation, its admin and a first project, and signs the admin in. */
export async function POST(request: Request) {
  try {
    checkSameOrigin(request);
    const db = await getDb();
    const b = await readJson(request);
    const { user, project } = await createFirstAdmin(db, {
      orgName: String(b.orgName ?? ''),
      email: String(b.email ?? ''),
      password: String(b.password ?? ''),
      name: typeof b.name === 'string' ? b.name : undefined,
      projectName: typeof b.projectName === 'string' ? b.projectName : undefined,
    });
    const { token, expiresAt } = await createSession(db, user.id);
    return json({ ok: true, projectId: project.id }, 201, { 'set-cookie': sessionCookie(request, token, expiresAt) });
  } catch (e) {
    return errorResponse(e);
  }
}
