// What the export tells an organisation's webhooks: an export failed (its alarm was raised), it
// recovered (the alarm was cleared), an hour is overdue. Queued in the caller's transaction, one
// delivery per webhook and event (webhook_deliveries.dedupe_key); lib/notify/webhooks.ts sends them.
import { and, eq, gt, lte, ne, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db, DbOrTx } from '../db/types';
import { withWriteLock } from '../db/write';
import { HOUR_MS } from '../util/hours';

export type WebhookEvent = (typeof s.webhookDeliveries.$inferInsert)['event'];

type Destination = Pick<typeof s.destinations.$inferSelect, 'id' | 'orgId' | 'projectId' | 'bucket' | 'prefix'>;

export interface WebhookMessage {
  event: WebhookEvent;
  /** what a person reads (the Slack-compatible text) */
  text: string;
  destination: { id: number; project_id: number; bucket: string; prefix: string };
  at: string;
  [more: string]: unknown;
}

/** Queues `message` for every webhook of the organisation, once per `dedupeKey`. */
export async function queueWebhookEvent(tx: DbOrTx, orgId: number, message: WebhookMessage, dedupeKey: string, now: number) {
  const hooks = await tx.select({ id: s.webhooks.id }).from(s.webhooks).where(eq(s.webhooks.orgId, orgId));
  if (hooks.length === 0) return;
  await tx
    .insert(s.webhookDeliveries)
    .values(hooks.map((h) => ({ webhookId: h.id, event: message.event, dedupeKey, payload: JSON.stringify(message), createdAt: now, nextAttemptAt: now })))
    .onConflictDoNothing();
}

export const destinationOf = (d: Destination) => ({ id: d.id, project_id: d.projectId, bucket: d.bucket, prefix: d.prefix });

/**
 * Each enabled connection's oldest hour not exported yet among the hours that ended by `endedBy`
 * (an hour starting at or before `endedBy - HOUR_MS`), with the connection: the export lag (metrics)
 * and the overdue hours (webhooks) are this one rule.
 */
export async function oldestUnexported(db: Db, endedBy: number) {
  const rows = await db
    .select({ destination: s.destinations, hour: sql<number>`min(${s.exportJobs.hour})` })
    .from(s.exportJobs)
    .innerJoin(s.destinations, eq(s.destinations.id, s.exportJobs.destinationId))
    .where(and(eq(s.destinations.enabled, true), ne(s.exportJobs.state, 'done'), lte(s.exportJobs.hour, endedBy - HOUR_MS)))
    .groupBy(s.exportJobs.destinationId);
  return rows.map((r) => ({ destination: r.destination, hour: Number(r.hour) }));
}

/**
 * Hours closed more than `overdueMs` ago and still not exported: each enabled connection's oldest one
 * is told once, and a connection is told again at most once per `overdueMs` (hours catching up after a
 * fix are not each an alarm).
 */
export async function queueOverdueHours(db: Db, now: number, overdueMs: number): Promise<number> {
  const late = await oldestUnexported(db, now - overdueMs);
  if (late.length === 0) return 0;
  const recent = new Set(
    (
      await db
        .selectDistinct({ key: s.webhookDeliveries.dedupeKey })
        .from(s.webhookDeliveries)
        .where(and(eq(s.webhookDeliveries.event, 'hour_overdue'), gt(s.webhookDeliveries.createdAt, now - overdueMs)))
    ).map((r) => Number(r.key.split(':')[1])),
  );
  for (const l of late) {
    const d = l.destination;
    if (recent.has(d.id)) continue;
    const hour = new Date(l.hour).toISOString();
    await withWriteLock(db, () =>
      queueWebhookEvent(
        db,
        d.orgId,
        {
          event: 'hour_overdue',
          text: `Spillway: the hour ${hour} of project ${d.projectId} is not exported to s3://${d.bucket}/${d.prefix} yet, ${Math.round((now - l.hour - HOUR_MS) / HOUR_MS)} h after it ended.`,
          destination: destinationOf(d),
          hour,
          at: new Date(now).toISOString(),
        },
        `overdue:${d.id}:${l.hour}`,
        now,
      ),
    );
  }
  return late.length;
}
