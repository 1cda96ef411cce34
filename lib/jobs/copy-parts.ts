// Exports one hour of one data kind to one destination: its sealed parts (lib/export/seal/seal.ts) uploaded
// under the destination's keys, in order, each reported (and persisted by the caller) before the next;
// then stale higher parts of an earlier export removed. The next part is built while one uploads; a
// part kept in the seal store goes into its upload as it is read, and is checked against its SHA-256.
import { sha256Hex } from '../util/hash';
import { SealPartDamaged, PartBuffer, type PartToUpload } from '../export/seal/store';
import { eventFileKey, eventHourPrefix, mergedFileKey, partOfKey, type KeyLayout } from '../export/files/naming';
import type { S3Access } from '../s3/access';

export interface HourTask {
  kind: 'events' | 'merged';
  hour: number;
  orgId: number;
  projectId: number;
  /** where the connection's files go */
  layout: KeyLayout;
  /** of event files (naming.ts eventFileExtension) */
  extension: string;
  /** parts already uploaded by an earlier, interrupted run of this export */
  partsDone: number;
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
}

export interface ExportOptions {
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

/**
 * Uploads one part; returns its ETag and the SHA-256 of what was sent. A part read from the store goes
 * out as it is read where the runtime streams request bodies with a known length (S3Access), and is
 * hashed once read whole, while the rest of it uploads.
 */
async function upload(s3: S3Access, key: string, p: PartToUpload): Promise<{ etag: string | null; sha256: string }> {
  const hash = (whole: Uint8Array) => (p.verify ? sha256Hex(whole) : Promise.resolve(p.sha256));
  if (p.body instanceof Uint8Array) {
    const [etag, sha256] = await Promise.all([s3.put(key, p.body), hash(p.body)]);
    return { etag, sha256 };
  }
  if (!s3.streamsUploads) {
    const whole = await PartBuffer.of(p.body, p.bytes, p.part);
    const [etag, sha256] = await Promise.all([s3.put(key, whole), hash(whole)]);
    return { etag, sha256 };
  }
  const source = p.body[Symbol.asyncIterator]();
  const buffer = new PartBuffer(p.bytes, p.part);
  let hashed: Promise<string> | null = null;
  // the store's own error (a missing chunk) is the one reported, not the aborted upload it causes
  let damaged: unknown = null;
  const stream = new ReadableStream<Uint8Array>({
    async pull(c) {
      try {
        const r = await source.next();
        if (r.done) {
          hashed = hash(buffer.finish());
          c.close();
          return;
        }
        buffer.add(r.value);
        c.enqueue(r.value);
      } catch (e) {
        damaged = e;
        c.error(e);
      }
    },
    async cancel() {
      await source.return?.();
    },
  });
  let etag: string | null;
  try {
    etag = await s3.putStream(key, stream, p.bytes);
  } catch (e) {
    throw damaged ?? e;
  }
  if (!hashed) throw new SealPartDamaged(`sealed part ${p.part} was not read to its end`);
  return { etag, sha256: await hashed };
}

/**
 * Uploads `parts` (the hour's, from part 1; those up to task.partsDone were uploaded before and are
 * skipped). `complete` is false when the source or `shouldStop` paused it.
 */
export async function exportHour(s3: S3Access, task: HourTask, parts: AsyncGenerator<PartToUpload, unknown>, opts: ExportOptions): Promise<HourOutcome> {
  const { layout } = task;
  const isEvents = task.kind === 'events';
  const keyOf = (part: number) =>
    isEvents ? eventFileKey(layout, task.projectId, task.hour, part, task.extension) : mergedFileKey(layout, task.orgId, task.projectId, task.hour);

  let total = task.partsDone;
  // one part ahead: the next is read or built while this one uploads
  let next = parts.next();
  try {
    for (;;) {
      const r = await next;
      if (r.done) {
        if (r.value === 'paused') return { complete: false, parts: total, staleDeleted: [] };
        break;
      }
      const p = r.value;
      if (p.part <= task.partsDone) {
        next = parts.next();
        continue;
      }
      const stopping = opts.shouldStop?.() ?? false;
      if (!stopping) next = parts.next();
      const key = keyOf(p.part);
      const { etag, sha256 } = await upload(s3, key, p);
      // the upload wrote what the store held; a damaged part is rebuilt and uploaded again before the hour counts
      if (sha256 !== p.sha256) throw new SealPartDamaged(`sealed part ${p.part} does not match its SHA-256`);
      await opts.onPart({ part: p.part, key, events: p.lines, bytes: p.bytes, rawBytes: p.rawBytes, etag, sha256 });
      total = p.part;
      if (stopping) return { complete: false, parts: total, staleDeleted: [] };
    }
  } finally {
    // the part being fetched or built ahead is finished (or fails) before the source is closed: nothing
    // of it keeps running once this export is over
    await next.catch(() => undefined);
    await parts.return(undefined).catch(() => undefined);
  }

  // a re-export that yields fewer parts removes the higher ones left by an earlier export
  const staleDeleted: string[] = [];
  // (a first export leaves none: parts are recorded in order, and every hour with rows has a part 1)
  if (isEvents && task.mayHaveFiles) {
    const hourPrefix = eventHourPrefix(layout, task.projectId, task.hour);
    for (const key of await s3.list(hourPrefix)) {
      const n = partOfKey(hourPrefix, key, task.extension);
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
