// The canonical files of one hour of one kind, built from its rows: read in a fixed order
// (server_upload_time, id) from a resume cursor, rendered (render.ts, format.ts) and cut into gzip parts
// by uncompressed size (cut-parts.ts). A run cut off after part k and resumed at its cursor makes
// exactly the bytes a clean run makes. lib/export/seal/seal.ts keeps what this builds.
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import { queryRows } from '../../db/bulk';
import * as s from '../../db/schema';
import type { Db } from '../../db/types';
import { fileFormatOfSeal, isEventsKind, lineFormatOfSeal, mergeToJson, type ExportKind, type MergeRow, type SealKind } from '../files/format';
import type { GzipOptions } from '../files/gzip';
import { writeParts, type PartOutput } from '../files/cut-parts';
import { LINE_SELECT, renderCurrentLine, renderLine, rowPosition } from '../files/render';
import { HOUR_MS } from '../../util/hours';
import { filterSql, parseFilterText } from '../files/event-filter';
import { ParquetPartWriter } from '../files/parquet';

export interface Cursor {
  time: number;
  id: number;
}

export interface HourRef {
  /** the events in one line format, or the merged IDs (format.ts) */
  kind: SealKind;
  projectId: number;
  hour: number;
  /** events: the types they pass (the seal's event_filter, lib/export/files/event-filter.ts); null or unset: all */
  eventFilter?: string | null;
}

export interface BuildOptions {
  /** cut a new events part once a part's NDJSON passes this many bytes (merged IDs are one file) */
  partBytes: number;
  gzip?: GzipOptions;
  pageSize?: number;
}

async function* pages<R>(
  fetchPage: (after: Cursor | null, limit: number) => Promise<R[]>,
  cursorOf: (r: R) => Cursor,
  start: Cursor | null,
  pageSize: number,
): AsyncGenerator<R[]> {
  let after = start;
  for (;;) {
    const rows = await fetchPage(after, pageSize);
    if (rows.length === 0) return;
    yield rows;
    after = cursorOf(rows[rows.length - 1]);
    if (rows.length < pageSize) return;
  }
}

// a row's event type: the first JSON literal of `rec` (lib/db/event-layout.ts REC_FIELDS)
const EVENT_TYPE_SQL = `json_extract('[' || substr(rec, 1, instr(rec, char(1)) - 1) || ']', '$[0]')`;

/** The rows of an hour an event filter lets through, as SQL and its parameters. */
const filtered = (ref: HourRef) => filterSql(parseFilterText(ref.eventFilter ?? null), EVENT_TYPE_SQL);

const eventCursor = (r: unknown[]): Cursor => rowPosition(r);

/** A page of event rows after the cursor. Its time is the index seek start (a row value alone made large hours quadratic). */
function eventPage(db: Db, ref: HourRef) {
  const f = filtered(ref);
  const page = `select ${LINE_SELECT} from event_rows
    where project_id = ? and server_upload_time >= ? and server_upload_time < ? and (server_upload_time, id) > (?, ?) and ${f.sql}
    order by server_upload_time, id limit ?`;
  const { projectId, hour } = ref;
  return (after: Cursor | null, limit: number) =>
    queryRows(db, page, [projectId, after ? after.time : hour, hour + HOUR_MS, after ? after.time : hour, after ? after.id : 0, ...f.params, limit]);
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

/** The hour's parts from `cursor` on, numbered from `firstPart`; an hour with no rows there yields none. */
export function hourParts(db: Db, ref: HourRef, cursor: Cursor | null, firstPart: number, opts: BuildOptions): AsyncGenerator<PartOutput<Cursor>> {
  // a page is read in one synchronous call on the native driver: small enough not to keep the encoder waiting
  const pageSize = opts.pageSize ?? 500;
  if (isEventsKind(ref.kind)) {
    return writeParts(pages(eventPage(db, ref), eventCursor, cursor, pageSize), {
      toLine: lineFormatOfSeal(ref.kind) === 'current' ? renderCurrentLine : renderLine,
      encoder: fileFormatOfSeal(ref.kind) === 'parquet' ? () => new ParquetPartWriter() : undefined,
      cursorOf: eventCursor,
      partBytes: opts.partBytes,
      firstPart,
      gzip: opts.gzip,
    });
  }
  const mergeCursor = (m: MergeRow): Cursor => ({ time: m.mergeServerTime, id: m.id });
  // one merged-IDs file per hour, never cut
  return writeParts(pages(mergePage(db, ref.projectId, ref.hour), mergeCursor, cursor, pageSize), {
    toLine: mergeToJson,
    cursorOf: mergeCursor,
    partBytes: Number.POSITIVE_INFINITY,
    firstPart,
    gzip: opts.gzip,
  });
}

/** How many rows the hour holds now (a seal's line count must match). */
export async function hourRowCount(db: Db, ref: HourRef): Promise<number> {
  const f = filtered(ref);
  const [[n]] = isEventsKind(ref.kind)
    ? await queryRows(db, `select count(*) from event_rows where project_id = ? and server_upload_time >= ? and server_upload_time < ? and ${f.sql}`, [
        ref.projectId,
        ref.hour,
        ref.hour + HOUR_MS,
        ...f.params,
      ])
    : await queryRows(db, 'select count(*) from merges where project_id = ? and merge_server_time >= ? and merge_server_time < ?', [
        ref.projectId,
        ref.hour,
        ref.hour + HOUR_MS,
      ]);
  return Number(n);
}

/** The start of the first hour at or after `from` with data of the kind, or null (one index seek). */
export async function nextDataHour(db: Db, kind: ExportKind, projectId: number, from: number): Promise<number | null> {
  const [[t]] =
    kind === 'events'
      ? await queryRows(db, 'select min(server_upload_time) from event_rows where project_id = ? and server_upload_time >= ?', [projectId, from])
      : await queryRows(db, 'select min(merge_server_time) from merges where project_id = ? and merge_server_time >= ?', [projectId, from]);
  return t === null ? null : Math.floor(Number(t) / HOUR_MS) * HOUR_MS;
}
