// The coverage view: days × hours of a connection, each cell what became of that hour — exported, empty,
// failed, repaired (the integrity check found its files wrong and they were written again) or pending —
// with the reason and the job behind it. Empty hours collapse into cells instead of table rows.
import { and, eq, gte, lt } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { troubleshoot, ExportError, type Permission } from '../s3/errors';
import { DAY_MS, floorDay, HOUR_MS } from '../util/hours';
import { parseHoursWindow } from '../util/hours-window';

export type CellState = 'exported' | 'empty' | 'failed' | 'repaired' | 'pending' | 'before' | 'future';

export interface CoverageCell {
  hour: number;
  state: CellState;
  events: number;
  /** why it is failed, repaired or pending */
  reason: string | null;
  jobIds: number[];
}

export interface Coverage {
  days: { day: number; cells: CoverageCell[] }[];
  integrityCheckedAt: number | null;
}

type Job = typeof s.exportJobs.$inferSelect;

// the worst state of an hour's jobs (events and merged) is the cell's
const RANK: Record<CellState, number> = { failed: 5, pending: 4, repaired: 3, exported: 2, empty: 1, before: 0, future: 0 };

function stateOf(j: Job): { state: CellState; reason: string | null } {
  if (j.state === 'failed') {
    const err = new ExportError(j.errorKind ?? 'internal', 'export', j.errorMessage ?? '', (j.errorPermission as Permission | null) ?? null);
    const why = troubleshoot(err, '', '').summary;
    // a failed re-export leaves the hour as its last good export wrote it
    if (j.finishedAt !== null) return { state: j.goodEvents > 0 ? 'exported' : 'empty', reason: `a later export of this hour failed: ${why}` };
    return { state: 'failed', reason: why };
  }
  if (j.state !== 'done')
    return { state: 'pending', reason: j.integrityIssue ? `being repaired: ${j.integrityIssue}` : `${j.state}${j.tries ? `, ${j.tries} tries` : ''}` };
  if (j.repairedAt !== null) return { state: 'repaired', reason: j.integrityIssue };
  return { state: j.goodEvents > 0 ? 'exported' : 'empty', reason: null };
}

/** The last `days` UTC days of a connection (today included), oldest first. */
export async function coverageOf(
  db: Db,
  d: { id: number; startHour: number; integrityCheckedAt: number | null },
  daysRaw: string | null,
  now = Date.now(),
): Promise<Coverage> {
  const days = parseHoursWindow(daysRaw, 31, 7, 'days');
  const from = floorDay(now) - (days - 1) * DAY_MS;
  const jobs = await db
    .select()
    .from(s.exportJobs)
    .where(and(eq(s.exportJobs.destinationId, d.id), gte(s.exportJobs.hour, from), lt(s.exportJobs.hour, from + days * DAY_MS)));
  const byHour = new Map<number, Job[]>();
  for (const j of jobs) byHour.set(j.hour, [...(byHour.get(j.hour) ?? []), j]);
  const out: Coverage['days'] = [];
  for (let day = from; day < from + days * DAY_MS; day += DAY_MS) {
    const cells: CoverageCell[] = [];
    for (let hour = day; hour < day + DAY_MS; hour += HOUR_MS) {
      const hj = byHour.get(hour) ?? [];
      if (hj.length === 0) {
        const state: CellState = hour < d.startHour ? 'before' : hour + HOUR_MS > now ? 'future' : 'pending';
        const reason = { before: 'before this connection', future: 'not over yet', pending: 'not exported yet' }[state as 'before' | 'future' | 'pending'];
        cells.push({ hour, state, events: 0, reason, jobIds: [] });
        continue;
      }
      const states = hj.map(stateOf);
      const worst = states.reduce((a, b) => (RANK[b.state] > RANK[a.state] ? b : a));
      cells.push({
        hour,
        state: worst.state,
        events: hj.filter((j) => j.kind === 'events').reduce((n, j) => n + (j.finishedAt !== null ? j.goodEvents : j.events), 0),
        reason: worst.reason,
        jobIds: hj.map((j) => j.id),
      });
    }
    out.push({ day, cells });
  }
  return { days: out, integrityCheckedAt: d.integrityCheckedAt };
}
