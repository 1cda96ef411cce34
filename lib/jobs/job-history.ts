// Job rows of old empty hours are forgotten. Every connection gets a job row per kind and hour whether or
// not the hour had data (8,760 a year each), and nearly all of a quiet project's are "done, nothing to
// write". Past SPILLWAY_JOB_HISTORY_DAYS (and past the hours the coverage view and the integrity check
// look at), such rows are deleted a batch at a time; what they said is kept by what remains:
//   - hours that wrote files keep their job and file rows (status, files, integrity, KMS migration);
//   - failed, waiting or repaired hours keep theirs (they are news);
//   - a finished backfill's progress counts its hours done as its total less its failures (backfill.ts).
// An hour forgotten and exported again (a manual export) gets a new row, as any hour does.
import { withWriteLock } from '../db/write';
import type { Db } from '../db/types';
import { DAY_MS, floorDay } from '../util/hours';
import { yieldToEventLoop } from '../util/yield';
import { reclaimFreePages } from '../db/free-pages';
import type { EngineConfig } from './config';

// rows per delete: a few milliseconds under the write lock (export_jobs_due finds them)
const ROWS_PER_DELETE = 1_000;
/** the coverage view's longest window (lib/destinations/coverage.ts): its hours always have their rows */
const COVERAGE_DAYS = 31;

/** The first hour whose job rows are kept whatever they hold. */
export function historyCutoff(config: Pick<EngineConfig, 'jobHistoryDays' | 'integrityDays'>, now: number): number {
  const days = Math.max(config.jobHistoryDays, config.integrityDays + 1, COVERAGE_DAYS + 1);
  return floorDay(now - days * DAY_MS);
}

const EMPTY_DONE = `state = 'done' and due_at < ?1 and hour < ?1 and coalesce(finished_at, 0) < ?1
  and events = 0 and good_events = 0 and parts_done = 0 and good_parts = 0 and repaired_at is null
  and not exists (select 1 from exported_files f where f.job_id = export_jobs.id)`;

/** Deletes the job rows of empty hours done before the cutoff; returns how many. */
export async function forgetEmptyHours(db: Db, config: EngineConfig, now: number, deadline = Infinity): Promise<number> {
  if (!config.jobHistoryDays) return 0;
  const cutoff = historyCutoff(config, now);
  let deleted = 0;
  while (Date.now() < deadline) {
    const n = await withWriteLock(db, async () => {
      const r = await db.$client.execute({
        sql: `delete from export_jobs where id in (select id from export_jobs where ${EMPTY_DONE} limit ${ROWS_PER_DELETE})`,
        args: [cutoff],
      });
      return r.rowsAffected;
    });
    deleted += n;
    if (n < ROWS_PER_DELETE) break;
    await yieldToEventLoop();
  }
  if (deleted > 0) await reclaimFreePages(db, deadline);
  return deleted;
}
