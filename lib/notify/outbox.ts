// The outbox as admins see it: every email the organisation was sent (or is about to be).
import { desc, eq } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';

export async function listOutbox(db: Db, orgId: number, limit = 200) {
  const rows = await db.select().from(s.outbox).where(eq(s.outbox.orgId, orgId)).orderBy(desc(s.outbox.id)).limit(limit);
  return rows.map((r) => ({
    id: r.id,
    destinationId: r.destinationId,
    recipients: r.recipients.split(/,\s*/).filter(Boolean),
    subject: r.subject,
    body: r.body,
    createdAt: r.createdAt,
    sentAt: r.sentAt,
    attempts: r.attempts,
    lastError: r.lastError,
  }));
}
