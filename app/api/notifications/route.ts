import { listOutbox } from '@/lib/notify/outbox';
import { json, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

/** The organisation's emails (sent and queued), newest first. */
export const GET = withUser('admin', async (_req, { db, user }) => json({ notifications: await listOutbox(db, user.orgId) }));
