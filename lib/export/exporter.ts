// Exports one hour of one data kind to one destination. Rows are read in a fixed order
// (server_upload_time, id) from a resume cursor, so a run cut off after part k and resumed writes
// exactly the bytes a clean run writes. Part k is reported (and persisted by the caller) before
// part k+1 is built; the caller may stop between parts.
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { queryRows } from '../db/bulk';
import { mergeToJson, type MergeRow } from './format';
import { LINE_SELECT, renderLine } from './render';
import type { GzipOptions } from './gzip';
import { eventFileKey, eventHourPrefix, mergedFileKey, normalizePrefix, partOfKey } from './naming';
import { writeParts } from './partition';
import type { S3Access } from './s3';
import { HOUR_MS } from './time';
import { sha256Hex } from '../util/hash';

export interface Cursor {
  time: number;
  id: number;
}

export interface HourTask {
  kind: 'events' | 'merged';
  hour: number;
  orgId: number;
  projectId: number;
  prefix: string;
  /** parts already uploaded by an earlier, interrupted run, and where they ended */
  partsDone: number;
  cursor: Cursor | null;
  /** whether files of this hour may exist from an earlier export (then stale parts are looked for) */
  mayHaveFiles: boolean;
}

export interface UploadedPart {
  part: number;
  key: string;
  events: number;
  bytes: number;
  rawBytes: number;
  etag: string | null;
  /** of the gzip bytes, hex */
  sha256: string;
  cursor: Cursor;
}

export interface ExportOptions {
  partBytes: number;
  gzip?: GzipOptions;
  pageSize?: number;
  /** persists a part; throws to abort (e.g. the lease was lost) */
  onPart: (p: UploadedPart) => Promise<void>;
  /** asked between parts: true stops the run, to be resumed later */
  shouldStop?: () => boolean;
}

export interface HourOutcome {
  complete: boolean;
  parts: number;
  staleDeleted: string[];
}

async function* pages<R>(
  fetchPage: (after: Cursor | null, limit: number) => Promise<R[]>,
  timeOf: (r: R) => number,
  start: Cursor | null,
  pageSize: number,
  idOf: (r: R) => number,
): AsyncGenerator<R[]> {
  let after = start;
  for (;;) {
    const rows = await fetchPage(after, pageSize);
    if (rows.length === 0) return;
    yield rows;
    const last = rows[rows.length - 1];
    after = { time: timeOf(last), id: idOf(last) };
    if (rows.length < pageSize) return;
  }
}

const EVENT_PAGE = `select ${LINE_SELECT} from event_rows
  where project_id = ? and server_upload_time >= ? and server_upload_time < ? and (server_upload_time, id) > (?, ?)
  order by server_upload_time, id limit ?`;

/** Rows in LINE_COLUMNS order: index 0 is the id, 2 the server_upload_time. */
function eventPage(db: Db, projectId: number, hour: number) {
  // the cursor's time is the index seek start: with only the row value, SQLite seeks to the hour's
  // start and skips every row before the cursor, which made large hours quadratic
  return (after: Cursor | null, limit: number) =>
    queryRows(db, EVENT_PAGE, [projectId, after ? after.time : hour, hour + HOUR_MS, after ? after.time : hour, after ? after.id : 0, limit]) as Promise<
      (unknown[] & { id: number })[]
    >;
}

function mergePage(db: Db, projectId: number, hour: number) {
  return (after: Cursor | null, limit: number): Promise<MergeRow[]> =>
    db
      .select()
      .from(s.merges)
      .where(
        and(
          eq(s.merges.projectId, projectId),
          gte(s.merges.mergeServerTime, after ? after.time : hour),
          lt(s.merges.mergeServerTime, hour + HOUR_MS),
          after ? sql`(${s.merges.mergeServerTime}, ${s.merges.id}) > (${after.time}, ${after.id})` : undefined,
        ),
      )
      .orderBy(asc(s.merges.mergeServerTime), asc(s.merges.id))
      .limit(limit);
}

/** One hour of one kind: pages of rows → parts → uploads, then stale higher parts removed (one flow, read top to bottom). */
export async function exportHour(db: Db, s3: S3Access, task: HourTask, opts: ExportOptions): Promise<HourOutcome> {
  const pageSize = opts.pageSize ?? 2000;
  const prefix = normalizePrefix(task.prefix);
  const isEvents = task.kind === 'events';
  const keyOf = (part: number) => (isEvents ? eventFileKey(prefix, task.projectId, task.hour, part) : mergedFileKey(prefix, task.orgId, task.hour));

  const parts = isEvents
    ? writeParts(
        pages(
          eventPage(db, task.projectId, task.hour),
          (r) => Number(r[2]),
          task.cursor,
          pageSize,
          (r) => Number(r[0]),
        ),
        {
          toLine: renderLine,
          cursorOf: (r: unknown[]) => ({ time: Number(r[2]), id: Number(r[0]) }),
          partBytes: opts.partBytes,
          firstPart: task.partsDone + 1,
          gzip: opts.gzip,
        },
      )
    : // one merged-IDs file per hour, never cut
      writeParts(
        pages(
          mergePage(db, task.projectId, task.hour),
          (r) => r.mergeServerTime,
          task.cursor,
          pageSize,
          (r) => r.id,
        ),
        {
          toLine: mergeToJson,
          cursorOf: (r: MergeRow) => ({ time: r.mergeServerTime, id: r.id }),
          partBytes: Number.POSITIVE_INFINITY,
          firstPart: 1,
          gzip: opts.gzip,
        },
      );

  let total = task.partsDone;
  for await (const p of parts) {
    const key = keyOf(p.part);
    const [etag, sha256] = await Promise.all([s3.put(key, p.body), sha256Hex(p.body)]);
    await opts.onPart({ part: p.part, key, events: p.events, bytes: p.body.byteLength, rawBytes: p.rawBytes, etag, sha256, cursor: p.cursor });
    total = p.part;
    if (opts.shouldStop?.()) {
      await parts.return(undefined);
      return { complete: false, parts: total, staleDeleted: [] };
    }
  }

  // a re-export that yields fewer parts removes the higher ones left by an earlier export
  const staleDeleted: string[] = [];
  if (isEvents && (total > 0 || task.mayHaveFiles)) {
    const hourPrefix = eventHourPrefix(prefix, task.projectId, task.hour);
    for (const key of await s3.list(hourPrefix)) {
      const n = partOfKey(hourPrefix, key);
      if (n !== null && n > total) {
        await s3.delete(key);
        staleDeleted.push(key);
      }
    }
  } else if (!isEvents && total === 0 && task.mayHaveFiles) {
    const key = keyOf(1);
    if ((await s3.list(key)).includes(key)) {
      await s3.delete(key);
      staleDeleted.push(key);
    }
  }
  return { complete: true, parts: total, staleDeleted };
}
