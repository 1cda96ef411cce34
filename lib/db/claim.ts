// Claiming unsent messages (outbox emails, webhook deliveries) for this instance, in one write: rows
// another instance claimed and has not finished are skipped, so several instances sending the same
// queue send each message once. A claim runs out after `claimMs`, for a sender that stopped.
import { and, asc, inArray, isNull, lt, or, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTableWithColumns } from 'drizzle-orm/sqlite-core';
import type { Db } from './types';
import { writeTx } from './write';

// any table with these columns
type Queue = SQLiteTableWithColumns<any> & { id: SQLiteColumn; sentAt: SQLiteColumn; attempts: SQLiteColumn; claimedUntil: SQLiteColumn };

/** Claims up to `limit` unsent rows with tries left (and `due`, when given), oldest first. */
export async function claimUnsent<T extends Queue>(
  db: Db,
  table: T,
  opts: { now: number; claimMs: number; maxAttempts: number; due?: SQL; limit?: number },
): Promise<T['$inferSelect'][]> {
  const { now } = opts;
  return writeTx(db, async (tx) => {
    const ids = await tx
      .select({ id: table.id })
      .from(table)
      .where(and(isNull(table.sentAt), lt(table.attempts, opts.maxAttempts), opts.due, or(isNull(table.claimedUntil), lt(table.claimedUntil, now))))
      .orderBy(asc(table.id))
      .limit(opts.limit ?? 50);
    if (ids.length === 0) return [];
    return (await tx
      .update(table)
      .set({ claimedUntil: now + opts.claimMs })
      .where(
        inArray(
          table.id,
          ids.map((r) => r.id as number),
        ),
      )
      .returning()) as T['$inferSelect'][];
  });
}
