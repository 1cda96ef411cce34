import { json, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

export const GET = withUser('member', async (_req, { user }) => json({ user }));
