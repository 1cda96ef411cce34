import { usersOfOrg } from '@/lib/auth/accounts';
import { json, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

export const GET = withUser('member', async (_req, { db, user }) => json({ users: await usersOfOrg(db, user.orgId) }));
