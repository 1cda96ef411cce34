// S3 access for one destination. Every call goes through a URL presigned with the SDK's presigner and is
// sent with fetch: uploads as the contract requires, and the other calls too, because the SDK's browser
// build parses responses with DOMParser, which edge runtimes lack. With KMS the SSE headers are signed
// into the upload URL and sent. Clients are made with requestChecksumCalculation 'WHEN_REQUIRED': the
// default puts an empty-body CRC into every presigned URL, which real S3, R2 and MinIO reject.
import {
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { resolveCredentials } from './credentials';
import type { Credentials, S3Destination, S3Settings } from './settings';
import { classify, networkProblem, type Operation } from './errors';
import { parseXmlError, xmlValue, xmlValues } from './xml';

export type { Credentials, S3Destination, S3Settings } from './settings';

export interface PutOptions {
  /** false: no bucket-owner-full-control (verification only) */
  ownerAcl?: boolean;
  /** the object's Content-Type (signed); unset, the store's default */
  contentType?: string;
}

/** An ETag as S3 writes it in XML (`&quot;…&quot;`) or headers (`"…"`), without its quotes. */
export const unquote = (etag: string) => etag.replace(/&quot;/g, '').replace(/"/g, '');

export const SSE_HEADERS = ['x-amz-server-side-encryption', 'x-amz-server-side-encryption-aws-kms-key-id'];

export function makeS3Client(dest: Pick<S3Destination, 'region' | 'endpoint' | 'forcePathStyle'>, credentials?: Credentials): S3Client {
  return new S3Client({
    region: dest.region || 'us-east-1',
    endpoint: dest.endpoint || undefined,
    forcePathStyle: dest.forcePathStyle,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // retries are the job engine's, with its own backoff and bookkeeping
    maxAttempts: 1,
  });
}

export class S3Access {
  private constructor(
    readonly dest: S3Destination,
    readonly client: S3Client,
    private settings: S3Settings,
  ) {}

  static async open(dest: S3Destination, settings: S3Settings = {}): Promise<S3Access> {
    return new S3Access(dest, makeS3Client(dest, await resolveCredentials(dest, settings)), settings);
  }

  get usesKms() {
    return !!this.dest.kmsKeyArn;
  }

  private presign(
    cmd: PutObjectCommand | ListObjectsV2Command | DeleteObjectCommand | HeadBucketCommand | GetBucketLocationCommand | GetObjectCommand,
    opts: Parameters<typeof getSignedUrl>[2] = {},
  ): Promise<string> {
    // the presigner's generics do not accept a union of commands; each of these is a valid S3 command
    return getSignedUrl(this.client, cmd as unknown as Parameters<typeof getSignedUrl>[1], { expiresIn: this.settings.presignExpiresSec ?? 900, ...opts });
  }

  /** Sends a presigned request; an error status becomes a classified ExportError. */
  private async send(op: Operation, url: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.settings.requestTimeoutMs ?? 300_000) });
    } catch (e) {
      throw classify(op, undefined, (e as Error)?.name, networkProblem(e), this.usesKms);
    }
    if (!res.ok) {
      // the message is read to recognise KMS failures; classify keeps only the status and the code
      const { code, message } = parseXmlError(init.method === 'HEAD' ? '' : await res.text().catch(() => ''));
      throw classify(op, res.status, code, message ?? '', this.usesKms);
    }
    return res;
  }

  /**
   * The presigned PUT URL and the headers that must be sent with it. Uploads give the bucket owner
   * full control (`x-amz-acl: bucket-owner-full-control`): on a store where objects belong to their
   * uploader (radosgw, AWS without "bucket owner enforced") the owner could not read them otherwise;
   * AWS buckets with ACLs disabled accept exactly this ACL.
   */
  async presignPut(key: string, opts: PutOptions = {}): Promise<{ url: string; headers: Record<string, string> }> {
    const kms = this.dest.kmsKeyArn;
    const acl = opts.ownerAcl ?? true;
    const cmd = new PutObjectCommand({
      Bucket: this.dest.bucket,
      Key: key,
      ...(opts.contentType ? { ContentType: opts.contentType } : {}),
      ...(acl ? { ACL: 'bucket-owner-full-control' as const } : {}),
      ...(kms ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: kms } : {}),
    });
    // SSE and ACL headers stay signed headers: hoisted into the query, radosgw ignores them
    const url = await this.presign(cmd, { unhoistableHeaders: new Set([...SSE_HEADERS, 'x-amz-acl']) });
    return {
      url,
      headers: {
        ...(opts.contentType ? { 'content-type': opts.contentType } : {}),
        ...(acl ? { 'x-amz-acl': 'bucket-owner-full-control' } : {}),
        ...(kms ? { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': kms } : {}),
      },
    };
  }

  /** Uploads one object through a presigned URL. Returns its ETag. `ownerAcl: false` only for verification. */
  put(key: string, body: Uint8Array, opts: PutOptions = {}): Promise<string | null> {
    return this.upload(key, body as BodyInit, opts);
  }

  get streamsUploads() {
    return this.settings.streamUploads ?? false;
  }

  /** Uploads `bytes` bytes from a stream, sent as they come (only where `streamsUploads`). Returns its ETag. */
  putStream(key: string, body: ReadableStream<Uint8Array>, bytes: number): Promise<string | null> {
    return this.upload(key, body, { length: bytes });
  }

  private async upload(key: string, body: BodyInit, opts: PutOptions & { length?: number }): Promise<string | null> {
    const { url, headers } = await this.presignPut(key, opts);
    // a streamed body: duplex 'half' is what fetch requires of it, and the length keeps it unchunked
    const init: RequestInit =
      opts.length === undefined
        ? { method: 'PUT', body, headers }
        : ({ method: 'PUT', body, headers: { ...headers, 'content-length': String(opts.length) }, duplex: 'half' } as RequestInit);
    const res = await this.send('PutObject', url, init);
    await res.body?.cancel().catch(() => {});
    return res.headers.get('etag');
  }

  async list(prefix: string): Promise<string[]> {
    return (await this.listObjects(prefix)).map((o) => o.key);
  }

  /** The objects under `prefix` with their sizes and ETags (quotes removed). */
  async listObjects(prefix: string): Promise<{ key: string; size: number; etag: string | null }[]> {
    const out: { key: string; size: number; etag: string | null }[] = [];
    let token: string | undefined;
    do {
      const url = await this.presign(new ListObjectsV2Command({ Bucket: this.dest.bucket, Prefix: prefix, ContinuationToken: token }));
      const xml = await (await this.send('ListObjectsV2', url, { method: 'GET' })).text();
      for (const contents of xmlValues(xml, 'Contents')) {
        const key = xmlValue(contents, 'Key');
        if (key === undefined) continue;
        const etag = xmlValue(contents, 'ETag');
        out.push({ key, size: Number(xmlValue(contents, 'Size') ?? 0), etag: etag ? unquote(etag) : null });
      }
      token = xmlValue(xml, 'IsTruncated') === 'true' ? xmlValue(xml, 'NextContinuationToken') : undefined;
    } while (token);
    return out;
  }

  /** An object, whole. */
  async get(key: string): Promise<Uint8Array> {
    return new Uint8Array(await (await this.getObject(key)).arrayBuffer());
  }

  /** An object as a stream, with the length its answer gives. */
  async getStream(key: string): Promise<{ body: ReadableStream<Uint8Array>; bytes: number }> {
    const res = await this.getObject(key);
    return { body: res.body ?? new Response(new Uint8Array(0)).body!, bytes: Number(res.headers.get('content-length') ?? NaN) };
  }

  private async getObject(key: string): Promise<Response> {
    const url = await this.presign(new GetObjectCommand({ Bucket: this.dest.bucket, Key: key }));
    return this.send('GetObject', url, { method: 'GET' });
  }

  /** The first `bytes` bytes of an object (a ranged GET), for previews. */
  head(key: string, bytes: number): Promise<Uint8Array> {
    return this.range(key, 0, bytes);
  }

  /** Bytes `start` to `end` (exclusive) of an object: a ranged GET (a Parquet footer, a row group). */
  async range(key: string, start: number, end: number): Promise<Uint8Array> {
    const range = `bytes=${start}-${end - 1}`;
    const url = await this.presign(new GetObjectCommand({ Bucket: this.dest.bucket, Key: key, Range: range }), { unhoistableHeaders: new Set(['range']) });
    const res = await this.send('GetObject', url, { method: 'GET', headers: { range } });
    return new Uint8Array(await res.arrayBuffer());
  }

  async delete(key: string): Promise<void> {
    const url = await this.presign(new DeleteObjectCommand({ Bucket: this.dest.bucket, Key: key }));
    const res = await this.send('DeleteObject', url, { method: 'DELETE' });
    await res.body?.cancel().catch(() => {});
  }

  async headBucket(): Promise<void> {
    const url = await this.presign(new HeadBucketCommand({ Bucket: this.dest.bucket }));
    await this.send('HeadBucket', url, { method: 'HEAD' });
  }

  async bucketLocation(): Promise<string> {
    const url = await this.presign(new GetBucketLocationCommand({ Bucket: this.dest.bucket }));
    const xml = await (await this.send('GetBucketLocation', url, { method: 'GET' })).text();
    // S3 answers an empty LocationConstraint for us-east-1
    return xmlValue(xml, 'LocationConstraint') || 'us-east-1';
  }

  close() {
    this.client.destroy();
  }
}
