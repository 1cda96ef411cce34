// S3 access for one destination. Objects are uploaded through presigned PUT URLs sent with fetch (no SDK
// PutObject in the upload path); with KMS the SSE headers are signed into the URL and sent. Clients are
// made with requestChecksumCalculation 'WHEN_REQUIRED': the default puts an empty-body CRC into every
// presigned URL, which real S3, R2 and MinIO reject.
import {
  DeleteObjectCommand, GetBucketLocationCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { classify, ExportError, fromSdkError, parseXmlError, type Operation } from './errors';
import { decryptSecret } from './secrets';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface S3Destination {
  id?: number;
  projectId: number;
  bucket: string;
  region: string;
  endpoint: string;
  forcePathStyle: boolean;
  prefix: string;
  kmsKeyArn: string | null;
  roleArn: string | null;
  accessKeyId?: string | null;
  secretAccessKeyEnc?: string | null;
}

export interface S3Settings {
  /** the server's own credentials; undefined = the SDK's default provider chain */
  baseCredentials?: Credentials;
  /** key for destination secrets stored encrypted */
  secretKey?: string;
  /** STS endpoint for AssumeRole (default: the destination's endpoint, else AWS) */
  stsEndpoint?: string;
  presignExpiresSec?: number;
  requestTimeoutMs?: number;
}

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

const roleCache = new Map<string, Credentials>();

async function resolveCredentials(dest: S3Destination, settings: S3Settings): Promise<Credentials | undefined> {
  let base = settings.baseCredentials;
  if (dest.accessKeyId && dest.secretAccessKeyEnc) {
    base = { accessKeyId: dest.accessKeyId, secretAccessKey: await decryptSecret(dest.secretAccessKeyEnc, settings.secretKey ?? '') };
  }
  if (!dest.roleArn) return base;
  const cacheKey = `${dest.roleArn}\n${base?.accessKeyId ?? ''}\n${settings.stsEndpoint ?? dest.endpoint}`;
  const hit = roleCache.get(cacheKey);
  if (hit?.expiration && hit.expiration.getTime() - Date.now() > 5 * 60_000) return hit;
  const sts = new STSClient({
    region: dest.region || 'us-east-1',
    endpoint: settings.stsEndpoint || dest.endpoint || undefined,
    credentials: base,
    maxAttempts: 1,
  });
  try {
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: dest.roleArn, RoleSessionName: `spillway-project-${dest.projectId}`, DurationSeconds: 3600 }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new ExportError('access', 'AssumeRole', 'AssumeRole returned no credentials', 'sts:AssumeRole');
    const creds: Credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    roleCache.set(cacheKey, creds);
    return creds;
  } catch (e) {
    throw fromSdkError('AssumeRole', e, false);
  } finally {
    sts.destroy();
  }
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

  private async call<T>(op: Operation, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw fromSdkError(op, e, this.usesKms);
    }
  }

  /** The presigned PUT URL and the headers that must be sent with it. */
  async presignPut(key: string): Promise<{ url: string; headers: Record<string, string> }> {
    const kms = this.dest.kmsKeyArn;
    const cmd = new PutObjectCommand({
      Bucket: this.dest.bucket,
      Key: key,
      ...(kms ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: kms } : {}),
    });
    // SSE headers stay signed headers: hoisted into the query, radosgw stores the object unencrypted
    const url = await getSignedUrl(this.client, cmd, {
      expiresIn: this.settings.presignExpiresSec ?? 900,
      unhoistableHeaders: new Set(SSE_HEADERS),
    });
    return { url, headers: kms ? { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': kms } : {} };
  }

  /** Uploads one object through a presigned URL. Returns its ETag. */
  async put(key: string, body: Uint8Array): Promise<string | null> {
    const { url, headers } = await this.presignPut(key);
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'PUT',
        body: body as BodyInit,
        headers,
        signal: AbortSignal.timeout(this.settings.requestTimeoutMs ?? 300_000),
      });
    } catch (e) {
      throw classify('PutObject', undefined, (e as Error)?.name, (e as Error)?.message ?? String(e), this.usesKms);
    }
    if (!res.ok) {
      const { code, message } = parseXmlError(await res.text().catch(() => ''));
      throw classify('PutObject', res.status, code, message ?? '', this.usesKms);
    }
    await res.body?.cancel().catch(() => {});
    return res.headers.get('etag');
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.call('ListObjectsV2', () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.dest.bucket, Prefix: prefix, ContinuationToken: token })),
      );
      for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async delete(key: string): Promise<void> {
    await this.call('DeleteObject', () => this.client.send(new DeleteObjectCommand({ Bucket: this.dest.bucket, Key: key })));
  }

  async headBucket(): Promise<void> {
    await this.call('HeadBucket', () => this.client.send(new HeadBucketCommand({ Bucket: this.dest.bucket })));
  }

  async bucketLocation(): Promise<string> {
    const out = await this.call('GetBucketLocation', () => this.client.send(new GetBucketLocationCommand({ Bucket: this.dest.bucket })));
    // S3 answers an empty LocationConstraint for us-east-1
    return out.LocationConstraint || 'us-east-1';
  }

  close() {
    this.client.destroy();
  }
}
