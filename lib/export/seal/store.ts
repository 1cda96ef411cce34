// Where sealed parts' bytes are kept (lib/export/seal/seal.ts): in the database by default (sealed_chunks, 1 MB
// slices, written in the transaction that records the part), or in an S3-compatible archive
// (SPILLWAY_ARCHIVE_URL), one object per part. Runtime-neutral: the archive goes through S3Access.
import { and, asc, eq } from 'drizzle-orm';
import { bytesOf, queryRows } from '../../db/bulk';
import { ArchiveUnavailable } from '../../db/storage-fault';
import * as s from '../../db/schema';
import type { Db, DbOrTx } from '../../db/types';
import { ExportError } from '../../s3/errors';
import type { SealKind } from '../files/format';
import { S3Access, type Credentials, type S3Destination, type S3Settings } from '../../s3/access';
import { hourParts } from '../../util/hours';

/** An archive bucket given by SPILLWAY_ARCHIVE_URL (lib/server/config.ts parses it). */
export interface ArchiveSettings {
  bucket: string;
  /** key prefix, '' or ending in '/' */
  prefix: string;
  endpoint: string;
  region: string;
  forcePathStyle: boolean;
  /** its own keys; unset, the server's */
  credentials?: Credentials;
}

export interface PartRef {
  projectId: number;
  kind: SealKind;
  hour: number;
  generation: number;
  part: number;
}

const CHUNK = 1 << 20;
export const IN_DATABASE = 'db';

/** The archive key of a part: by project, kind, day and hour, its generation and number. */
export function archiveKey(prefix: string, r: PartRef): string {
  const { date, h } = hourParts(r.hour);
  return `${prefix}${r.projectId}/${r.kind}/${date}/${h}/g${r.generation}-${r.part}.json.gz`;
}

/** A sealed part that is missing or not what was recorded: its seal is built again from the raw rows. */
/** One canonical part to copy: its bytes, and what was recorded of them when sealed. */
export interface PartToUpload {
  part: number;
  lines: number;
  rawBytes: number;
  sha256: string;
  bytes: number;
  /** whole (just built), or read as it uploads (from the store: exactly `bytes` bytes, else SealPartDamaged) */
  body: Uint8Array | AsyncIterable<Uint8Array>;
  /** read back from the store: the bytes are hashed again before the part counts as exported */
  verify: boolean;
}

export class SealPartDamaged extends Error {}

/** A part's bytes gathered as they are read: exactly the recorded size, else SealPartDamaged. */
export class PartBuffer {
  readonly whole: Uint8Array;
  private at = 0;

  constructor(
    bytes: number,
    private readonly name: string | number,
  ) {
    this.whole = new Uint8Array(bytes);
  }

  add(chunk: Uint8Array) {
    if (this.at + chunk.byteLength > this.whole.byteLength) throw new SealPartDamaged(`sealed part ${this.name} holds more bytes than recorded`);
    this.whole.set(chunk, this.at);
    this.at += chunk.byteLength;
  }

  /** The part, once every chunk was added. */
  finish(): Uint8Array {
    if (this.at !== this.whole.byteLength) throw new SealPartDamaged(`sealed part ${this.name} holds ${this.at} bytes, ${this.whole.byteLength} recorded`);
    return this.whole;
  }

  /** A part read whole. */
  static async of(chunks: AsyncIterable<Uint8Array>, bytes: number, name: string | number): Promise<Uint8Array> {
    const b = new PartBuffer(bytes, name);
    for await (const chunk of chunks) b.add(chunk);
    return b.finish();
  }
}

export class SealStore {
  private archive: Promise<S3Access> | null = null;

  constructor(
    readonly settings: ArchiveSettings | undefined,
    private readonly s3: S3Settings,
  ) {}

  private archiveAccess(): Promise<S3Access> {
    const a = this.settings!;
    const dest: S3Destination = {
      projectId: 0,
      bucket: a.bucket,
      region: a.region,
      endpoint: a.endpoint,
      forcePathStyle: a.forcePathStyle,
      prefix: a.prefix,
      kmsKeyArn: null,
      roleArn: null,
    };
    // cleared on failure, so a store that was down is asked again next time
    this.archive ??= S3Access.open(dest, { ...this.s3, baseCredentials: a.credentials ?? this.s3.baseCredentials }).catch((e) => {
      this.archive = null;
      throw e;
    });
    return this.archive;
  }

  /** Puts the bytes in the archive before the part is recorded; in the database, `record` keeps them. Returns the location. */
  async store(ref: PartRef, body: Uint8Array): Promise<string> {
    if (!this.settings) return IN_DATABASE;
    const key = archiveKey(this.settings.prefix, ref);
    await archived(async () => (await this.archiveAccess()).put(key, body, { ownerAcl: false }));
    return key;
  }

  /** In the transaction that records part `partId`: its bytes, when they are kept in the database. */
  async record(tx: DbOrTx, partId: number, location: string, body: Uint8Array) {
    if (location !== IN_DATABASE) return;
    for (let seq = 0, at = 0; at < body.byteLength; seq++, at += CHUNK) {
      await tx.insert(s.sealedChunks).values({ partId, seq, data: body.subarray(at, Math.min(body.byteLength, at + CHUNK)) });
    }
  }

  /**
   * A part's bytes, as read: 1 MB slices from the database, or the archive object's stream. Missing
   * (or a database slice out of place): SealPartDamaged. The caller checks the total and the SHA-256.
   */
  async *chunks(db: Db, partId: number, location: string, bytes: number): AsyncGenerator<Uint8Array> {
    if (location !== IN_DATABASE) {
      let got: { body: ReadableStream<Uint8Array>; bytes: number };
      try {
        got = await (await this.archiveAccess()).getStream(location);
      } catch (e) {
        if (e instanceof ExportError && e.status === 404) throw new SealPartDamaged(`sealed part ${location} is missing from the archive`);
        throw unavailable(e);
      }
      if (got.bytes !== bytes) {
        await got.body.cancel().catch(() => {});
        throw new SealPartDamaged(`sealed part ${location} holds ${got.bytes} bytes, ${bytes} recorded`);
      }
      const reader = got.body.getReader();
      try {
        for (;;) {
          const r = await reader.read().catch((e: unknown) => Promise.reject(unavailable(e)));
          if (r.done) return;
          yield r.value;
        }
      } finally {
        await reader.cancel().catch(() => {});
      }
    }
    // one slice a query: the first is on its way before the last is read
    for (let seq = 0, at = 0; at < bytes; seq++) {
      const [row] = await queryRows(db, 'select data from sealed_chunks where part_id = ? and seq = ?', [partId, seq]);
      if (!row) throw new SealPartDamaged(`sealed part ${partId} lacks its slice ${seq}`);
      const chunk = bytesOf(row[0]);
      at += chunk.byteLength;
      yield chunk;
    }
  }

  /** A part's bytes, whole. Missing or the wrong size: SealPartDamaged (the seal is built again). */
  read(db: Db, partId: number, location: string, bytes: number): Promise<Uint8Array> {
    return PartBuffer.of(this.chunks(db, partId, location, bytes), bytes, partId);
  }

  /** Removes archived objects of parts no seal uses any more (a rebuilt generation). */
  async forget(locations: string[]) {
    if (!this.settings) return;
    const access = await archived(() => this.archiveAccess());
    for (const key of locations) if (key !== IN_DATABASE) await access.delete(key).catch(() => {});
  }
}

/** Whatever the archive answered (a 403 of its bucket, no answer at all), it is Spillway's storage failing, never the customer's bucket. */
function unavailable(e: unknown): ArchiveUnavailable {
  if (e instanceof ArchiveUnavailable) return e;
  return new ArchiveUnavailable(e instanceof ExportError ? e.message : String((e as Error)?.message ?? e), { cause: e });
}

async function archived<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw unavailable(e);
  }
}

/** The parts of a seal's current generation, in order. */
export function partsOfSeal(db: DbOrTx, r: Omit<PartRef, 'part'>) {
  return db
    .select()
    .from(s.sealedParts)
    .where(and(partsOfHour(r), eq(s.sealedParts.generation, r.generation)))
    .orderBy(asc(s.sealedParts.part));
}

/** The condition on sealed_parts for an hour's seal, of every generation. */
export const partsOfHour = (r: Pick<PartRef, 'projectId' | 'kind' | 'hour'>) =>
  and(eq(s.sealedParts.projectId, r.projectId), eq(s.sealedParts.kind, r.kind), eq(s.sealedParts.hour, r.hour));
