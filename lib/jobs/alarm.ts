// Failure alarms: the first failed job of a destination raises its alarm and queues one email to the
// organisation's admins and the connection's creator; later failures under the same alarm send nothing.
// A later success clears the alarm and re-queues the failed hours, so no hour stays missing. Both are
// told to the organisation's webhooks too (webhook-events.ts).
import { and, eq, inArray, ne, or } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Tx } from '../db/types';
import { troubleshoot, type ExportError } from '../s3/errors';
import { hourParts } from '../util/hours';
import { destinationOf, queueWebhookEvent } from './webhook-events';
type Destination = typeof s.destinations.$inferSelect;

export interface AlarmContext {
  destination: Destination;
  job: typeof s.exportJobs.$inferSelect;
  error: ExportError;
  tries: number;
  now: number;
  appUrl?: string;
}

const KIND_NAME = { events: 'events', merged: 'merged Amplitude IDs' } as const;
const MAX_LISTED = 50;

/** A failing job as the email lists it. */
export interface FailingJob {
  hour: number;
  kind: 'events' | 'merged';
  state: string;
}

const hourText = (hour: number) => {
  const { date, h } = hourParts(hour);
  return `${date} ${h}:00 UTC`;
};

export function alarmText(ctx: AlarmContext, failing: FailingJob[] = [{ hour: ctx.job.hour, kind: ctx.job.kind, state: 'failed' }]) {
  const { destination: d, error } = ctx;
  const t = troubleshoot(error, d.bucket, d.prefix);
  const subject = `Spillway: export to s3://${d.bucket} failed — ${t.summary}`;
  const listed = failing
    .slice(0, MAX_LISTED)
    .map((f) => `  ${hourText(f.hour)}  ${KIND_NAME[f.kind]}  (${f.state === 'failed' ? 'failed' : 'failing, still retrying'})`);
  const body = [
    `Exports of project ${d.projectId} to s3://${d.bucket}/${d.prefix} are failing (${failing.length} hour file${failing.length === 1 ? '' : 's'}; the first failed after ${ctx.tries} attempts).`,
    '',
    'Failing hours:',
    ...listed,
    ...(failing.length > MAX_LISTED ? [`  … and ${failing.length - MAX_LISTED} more (see the connection's status page)`] : []),
    '',
    `Problem: ${t.summary}`,
    ...(t.permission ? [`Missing permission: ${t.permission}`] : []),
    '',
    'How to fix it:',
    t.help,
    '',
    'Once fixed, the next export succeeds and Spillway re-exports the failed hours by itself.',
    ...(ctx.appUrl ? ['', `Connection: ${ctx.appUrl.replace(/\/$/, '')}/destinations/${d.id}`] : []),
  ].join('\n');
  return { subject, body, troubleshooting: t };
}

/** Raises the destination's alarm if none is up; returns whether an email was queued. */
export async function raiseAlarm(tx: Tx, ctx: AlarmContext): Promise<boolean> {
  // every hour and kind failing now, this job first: one email names them all
  const others = await tx
    .select({ hour: s.exportJobs.hour, kind: s.exportJobs.kind, state: s.exportJobs.state })
    .from(s.exportJobs)
    .where(and(eq(s.exportJobs.destinationId, ctx.destination.id), inArray(s.exportJobs.state, ['failed', 'retry']), ne(s.exportJobs.id, ctx.job.id)))
    .orderBy(s.exportJobs.hour, s.exportJobs.kind);
  const failing: FailingJob[] = [{ hour: ctx.job.hour, kind: ctx.job.kind, state: 'failed' }, ...others];
  const { subject, body, troubleshooting } = alarmText(ctx, failing);
  const raised = await tx
    .insert(s.alarms)
    .values({
      destinationId: ctx.destination.id,
      jobId: ctx.job.id,
      permission: troubleshooting.permission,
      message: `${troubleshooting.summary}\n${troubleshooting.help}`,
      raisedAt: ctx.now,
    })
    .onConflictDoNothing()
    .returning({ id: s.alarms.destinationId });
  if (raised.length === 0) return false;
  const recipients = await tx
    .select({ email: s.users.email })
    .from(s.users)
    .where(
      and(
        eq(s.users.orgId, ctx.destination.orgId),
        or(eq(s.users.role, 'admin'), ctx.destination.createdBy ? eq(s.users.id, ctx.destination.createdBy) : undefined),
      ),
    );
  const to = [...new Set(recipients.map((r) => r.email))].sort();
  await tx.insert(s.outbox).values({
    orgId: ctx.destination.orgId,
    destinationId: ctx.destination.id,
    jobId: ctx.job.id,
    recipients: to.join(', '),
    subject,
    body,
    createdAt: ctx.now,
  });
  await queueWebhookEvent(
    tx,
    ctx.destination.orgId,
    {
      event: 'export_failed',
      text: `${subject}. ${troubleshooting.permission ? `Missing permission: ${troubleshooting.permission}. ` : ''}${failing.length} hour file(s) failing.`,
      destination: destinationOf(ctx.destination),
      hour: new Date(ctx.job.hour).toISOString(),
      kind: ctx.job.kind,
      error: { summary: troubleshooting.summary, permission: troubleshooting.permission },
      failing_hours: failing.length,
      at: new Date(ctx.now).toISOString(),
    },
    `failed:${ctx.destination.id}:${ctx.now}`,
    ctx.now,
  );
  return true;
}

/** After a success: clear the alarm and give the failed hours a fresh run. */
export async function clearAlarm(tx: Tx, destinationId: number, now: number) {
  const cleared = await tx.delete(s.alarms).where(eq(s.alarms.destinationId, destinationId)).returning({ id: s.alarms.destinationId });
  if (cleared.length > 0) {
    const [d] = await tx.select().from(s.destinations).where(eq(s.destinations.id, destinationId));
    if (d)
      await queueWebhookEvent(
        tx,
        d.orgId,
        {
          event: 'export_recovered',
          text: `Spillway: exports of project ${d.projectId} to s3://${d.bucket}/${d.prefix} work again; the failed hours are exported again.`,
          destination: destinationOf(d),
          at: new Date(now).toISOString(),
        },
        `recovered:${d.id}:${now}`,
        now,
      );
    await tx
      .update(s.exportJobs)
      .set({ state: 'retry', tries: 0, dueAt: now, updatedAt: now })
      .where(and(eq(s.exportJobs.destinationId, destinationId), eq(s.exportJobs.state, 'failed')));
  }
}
