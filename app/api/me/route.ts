import { json, sessionUser, withPublic } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

/** Who is signed in: `{ user: null }` when nobody is (a page asks this first: not an error to log). */
export const GET = withPublic(async (_req, db) => json({ user: await sessionUser(db) }));
