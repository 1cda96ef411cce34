// Job leases: a job belongs to whoever holds its lease. Claiming is one UPDATE … RETURNING (atomic
// across processes), the holder renews while it works, and every progress write checks ownership.
import { and, eq, inArray, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { withWriteLock } from '../db/write';
import { keepRenewing } from '../util/renewal';

export type Job = typeof s.exportJobs.$inferSelect;

/** The WHERE clause of every write a lease holder makes. */
export const owned = (job: Job, workerId: string) => and(eq(s.exportJobs.id, job.id), eq(s.exportJobs.leaseOwner, workerId));

/** The same for many jobs held at once (empty hours finished in a batch). */
export const ownedAll = (ids: number[], workerId: string) => and(inArray(s.exportJobs.id, ids), eq(s.exportJobs.leaseOwner, workerId));

/** Claims the next due job for `workerId`. Hourly jobs first, then by hour. */
export async function claimJob(db: Db, workerId: string, now: number, leaseMs: number): Promise<Job | null> {
  const next = sql`(select ${s.exportJobs.id} from ${s.exportJobs}
    where (${s.exportJobs.state} in ('pending', 'retry') and ${s.exportJobs.dueAt} <= ${now})
       or (${s.exportJobs.state} = 'running' and ${s.exportJobs.leaseUntil} < ${now})
    order by case ${s.exportJobs.origin} when 'hourly' then 0 else 1 end, ${s.exportJobs.hour}, ${s.exportJobs.id}
    limit 1)`;
  const [job] = await withWriteLock(db, () =>
    db
      .update(s.exportJobs)
      .set({
        state: 'running',
        leaseOwner: workerId,
        leaseUntil: now + leaseMs,
        startedAt: sql`coalesce(${s.exportJobs.startedAt}, ${now})`,
        // a run from part 1 (new, or re-queued by a backfill) starts its counts afresh
        events: sql`case when ${s.exportJobs.partsDone} = 0 then 0 else ${s.exportJobs.events} end`,
        bytes: sql`case when ${s.exportJobs.partsDone} = 0 then 0 else ${s.exportJobs.bytes} end`,
        rawBytes: sql`case when ${s.exportJobs.partsDone} = 0 then 0 else ${s.exportJobs.rawBytes} end`,
        updatedAt: now,
      })
      .where(eq(s.exportJobs.id, next))
      .returning(),
  );
  return job ?? null;
}

/** Keeps the job's lease while it runs. */
export function keepLease(db: Db, job: Job, workerId: string, leaseMs: number, clock: () => number) {
  return keepRenewing(leaseMs, async () => {
    const r = await withWriteLock(db, () =>
      db
        .update(s.exportJobs)
        .set({ leaseUntil: clock() + leaseMs })
        .where(owned(job, workerId))
        .returning({ id: s.exportJobs.id }),
    );
    return r.length > 0;
  });
}
