// Amplitude's Export API on Spillway: GET /api/2/export?start=YYYYMMDDTHH&end=YYYYMMDDTHH with Basic
// auth (the project's API key and secret key), answered as Amplitude documents it: a zip of
// `{projectId}/{projectId}_{yyyy-MM-dd}_{H}#{n}.json.gz`, the hours of the range both ends included by
// server upload time, 404 when they hold no data, 400 for a range over 365 days or 4 GB. Only closed,
// sealed hours are served, from their seals (the same bytes as the S3 export's current-format files,
// or documented-format ones where only those were sealed), streamed part by part: memory holds one
// chunk, not the archive. Runtime-neutral (web streams and fflate's streaming zip).
import { Zip, ZipPassThrough } from 'fflate';
import { and, asc, eq, gt, gte, inArray, lte } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { DEFAULT_EVENTS, eventsSealKind } from '../db/seal-kinds';
import { eventFileKey } from '../export/files/naming';
import { partsOfSeal, type SealStore } from '../export/seal/store';
import { overLimit, recordFailure } from '../auth/ratelimit';
import { projectForKeys } from '../projects/secret-keys';
import { AppError, InputError } from '../util/errors';
import { DAY_MS, HOUR_MS } from '../util/hours';

/** Amplitude's limits: a year of hours at once, 4 GB an answer. */
export const EXPORT_LIMITS = { days: 365, bytes: 4_000_000_000, requestsPerHour: 120 };

// the seals served: today's line format first, the documented one where only that was sealed
const SERVED = [eventsSealKind(DEFAULT_EVENTS), eventsSealKind({ ...DEFAULT_EVENTS, lineFormat: 'documented' })];

/** `YYYYMMDDTHH` (UTC) as the hour's start. */
export function parseExportHour(raw: string | null, name: 'start' | 'end'): number {
  const m = raw ? /^(\d{4})(\d{2})(\d{2})T(\d{2})$/.exec(raw) : null;
  const t = m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4]) : NaN;
  // a date that does not exist (20230231T00) comes back as another one
  if (!m || new Date(t).getUTCDate() !== +m[3] || new Date(t).getUTCHours() !== +m[4])
    throw new InputError(`${name} must be an hour formatted YYYYMMDDTHH (UTC), such as 20220201T05`, { field: name });
  return t;
}

/** The API key and secret key of a Basic Authorization header. */
function basicAuth(header: string | null): { apiKey: string; secret: string } {
  const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  let decoded = '';
  try {
    decoded = m ? atob(m[1]) : '';
  } catch {
    decoded = '';
  }
  const i = decoded.indexOf(':');
  if (i <= 0) throw new AppError('unauthorized', 'Authenticate with Basic auth: the project API key as the user name, its secret key as the password');
  return { apiKey: decoded.slice(0, i), secret: decoded.slice(i + 1) };
}

export interface ExportArchive {
  body: ReadableStream<Uint8Array>;
  filename: string;
  files: number;
  bytes: number;
}

/**
 * Checks the caller's keys and the range, and answers the range's sealed hours as a streamed zip.
 * Throws AppError: 401 no or malformed credentials, 403 wrong keys, 400 bad range, 404 no data, 429 over the rate.
 */
export async function exportArchive(
  db: Db,
  store: SealStore,
  q: { start: string | null; end: string | null; authorization: string | null },
  now = Date.now(),
): Promise<ExportArchive> {
  const { apiKey, secret } = basicAuth(q.authorization);
  const limitKey = `export-api:${apiKey}`;
  if (overLimit(limitKey, EXPORT_LIMITS.requestsPerHour, HOUR_MS, now))
    throw new AppError('too_many_requests', `At most ${EXPORT_LIMITS.requestsPerHour} exports an hour per API key: try again later`);
  // every request counts toward the key's rate, answered or not
  recordFailure([limitKey], HOUR_MS, now);
  const project = await projectForKeys(db, apiKey, secret);
  if (project === 'unknown' || project === 'wrong') throw new AppError('forbidden', 'Invalid API key or secret key');
  const start = parseExportHour(q.start, 'start');
  const end = parseExportHour(q.end, 'end');
  if (end < start) throw new InputError('end must not be before start', { field: 'end' });
  if (end - start >= EXPORT_LIMITS.days * DAY_MS) throw new InputError(`The range is over ${EXPORT_LIMITS.days} days: choose a smaller one`, { field: 'end' });

  const seals = await db
    .select()
    .from(s.seals)
    .where(
      and(
        eq(s.seals.projectId, project.id),
        inArray(s.seals.kind, SERVED),
        eq(s.seals.state, 'sealed'),
        gt(s.seals.lines, 0),
        gte(s.seals.hour, start),
        lte(s.seals.hour, end),
      ),
    )
    .orderBy(asc(s.seals.hour));
  // one seal an hour: the current format's when the hour has both
  const byHour = new Map<number, (typeof seals)[number]>();
  for (const z of seals) if (!byHour.has(z.hour) || z.kind === SERVED[0]) byHour.set(z.hour, z);
  if (byHour.size === 0) throw new AppError('not_found', 'No data for the time range requested (only closed, sealed hours are served)');
  const hours = [...byHour.values()];
  const bytes = hours.reduce((n, z) => n + z.bytes, 0);
  if (bytes > EXPORT_LIMITS.bytes) throw new InputError('The export is over 4 GB: choose a smaller time range', { field: 'end' });

  const files: { name: string; hour: number; part: Awaited<ReturnType<typeof partsOfSeal>>[number] }[] = [];
  for (const z of hours)
    for (const part of await partsOfSeal(db, z)) files.push({ name: `${project.id}/${eventFileKey('', project.id, z.hour, part.part)}`, hour: z.hour, part });
  return { body: zipStream(db, store, files), filename: `${project.id}_${q.start}_${q.end}.zip`, files: files.length, bytes };
}

/** The files as a zip, stored (they are gzip already), each read from the seal store as the client takes it. */
function zipStream(db: Db, store: SealStore, files: { name: string; hour: number; part: { id: number; location: string; bytes: number } }[]) {
  const out: Uint8Array[] = [];
  let failed: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failed = err;
    else out.push(chunk);
  });
  let next = 0;
  let ended = false;
  let reading: AsyncGenerator<Uint8Array> | null = null;
  let entry: ZipPassThrough | null = null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // produce until the zip has output to hand over (or nothing is left)
      while (out.length === 0) {
        if (failed) throw failed;
        if (!reading) {
          if (ended) break;
          if (next === files.length) {
            zip.end();
            ended = true;
            continue;
          }
          const f = files[next++];
          entry = new ZipPassThrough(f.name);
          // the hour's start as the file's time: the same archive for the same range
          entry.mtime = new Date(f.hour);
          zip.add(entry);
          reading = store.chunks(db, f.part.id, f.part.location, f.part.bytes);
        }
        const r = await reading.next();
        if (r.done) {
          entry!.push(new Uint8Array(0), true);
          reading = null;
        } else entry!.push(r.value);
      }
      if (failed) throw failed;
      const chunk = out.shift();
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
    async cancel() {
      await reading?.return(undefined);
    },
  });
}
