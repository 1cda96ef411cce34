// The files of an exported hour, and a look inside one of them: read back through the connection's
// own credentials, only for keys this connection wrote (never an arbitrary object of the bucket).
import { and, desc, eq, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { ExportError, troubleshoot } from '../s3/errors';
import { previewPart, snippets } from './preview';
import { PART_COLUMNS } from '../jobs/job-store';
import { AppError } from '../util/errors';
import { S3Access, type S3Settings } from '../s3/access';
import { NotFoundError } from './errors';
import type { Destination } from './lifecycle';

/** The parts of an hour's exports in the bucket (events and merged IDs). */
export async function filesOfHour(db: Db, destinationId: number, hour: number) {
  const rows = await db
    .select({ kind: s.exportJobs.kind, partsDone: s.exportJobs.partsDone, goodParts: s.exportJobs.goodParts, ...PART_COLUMNS })
    .from(s.exportedFiles)
    .innerJoin(s.exportJobs, eq(s.exportJobs.id, s.exportedFiles.jobId))
    .where(and(eq(s.exportJobs.destinationId, destinationId), eq(s.exportJobs.hour, hour)))
    .orderBy(s.exportJobs.kind, s.exportedFiles.part);
  // the last good run's parts, and those a later run has written over them
  return rows.filter((r) => r.part <= Math.max(r.partsDone, r.goodParts)).map(({ partsDone: _done, goodParts: _good, ...r }) => r);
}

/** The first lines of one of this connection's files. */
export async function previewFile(db: Db, d: Destination, key: unknown, settings: S3Settings) {
  if (typeof key !== 'string' || key.length > 1024) throw new NotFoundError('No such file of this connection');
  const [mine] = await db
    .select({ id: s.exportedFiles.id, bytes: s.exportedFiles.bytes })
    .from(s.exportedFiles)
    .innerJoin(s.exportJobs, eq(s.exportJobs.id, s.exportedFiles.jobId))
    .where(and(eq(s.exportJobs.destinationId, d.id), eq(s.exportedFiles.key, key)))
    .limit(1);
  if (!mine) throw new NotFoundError('No such file of this connection');
  const s3 = await S3Access.open(d, settings);
  try {
    return await previewPart(s3, key, 20, mine.bytes);
  } catch (e) {
    if (!(e instanceof ExportError)) throw e;
    // a missing s3:GetObject (the only permission previews need) or an unreachable store, said as such
    const t = troubleshoot(e, d.bucket, d.prefix);
    throw new AppError(e.kind === 'access' ? 'forbidden' : 'busy', `${t.summary}. ${t.help.split('\n')[0]}`);
  } finally {
    s3.close();
  }
}

/** The snippets, with this connection's newest files under its prefix as the examples (real keys, not made-up ones). */
export async function snippetsFor(db: Db, d: Destination) {
  const newest = async (kind: 'events' | 'merged') => {
    const [row] = await db
      .select({ key: s.exportedFiles.key })
      .from(s.exportedFiles)
      .innerJoin(s.exportJobs, eq(s.exportJobs.id, s.exportedFiles.jobId))
      .where(and(eq(s.exportJobs.destinationId, d.id), eq(s.exportJobs.kind, kind), sql`substr(${s.exportedFiles.key}, 1, ${d.prefix.length}) = ${d.prefix}`))
      .orderBy(desc(s.exportedFiles.id))
      .limit(1);
    return row?.key ?? null;
  };
  return snippets(d, { events: await newest('events'), merged: await newest('merged') });
}
