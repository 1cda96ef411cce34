// Test access to the loopback radosgw started from scripts/rgw (real SigV4, bucket policies, SSE-KMS, STS).
import { readFileSync } from 'node:fs';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { MANIFEST_FOLDER } from '../../lib/export/files/naming';

export const CEPH_BASE = process.env.CEPH_BASE ?? '/tmp/spillway-ceph';

export async function rgwEndpointUp(endpoint = 'http://127.0.0.1:7480'): Promise<boolean> {
  try {
    const r = await fetch(endpoint, { signal: AbortSignal.timeout(2000) });
    return r.status === 200;
  } catch {
    return false;
  }
}

export interface RgwEnv {
  endpoint: string;
  region: string;
  user1: { accessKeyId: string; secretAccessKey: string; arn: string };
  user2: { accessKeyId: string; secretAccessKey: string; arn: string };
  kmsKeyId: string;
  kmsKeyId2: string;
}

export function rgwEnv(): RgwEnv {
  const env: Record<string, string> = {};
  for (const line of readFileSync(`${CEPH_BASE}/s3.env`, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return {
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    user1: { accessKeyId: env.S3_USER1_ACCESS_KEY, secretAccessKey: env.S3_USER1_SECRET_KEY, arn: env.S3_USER1_ARN },
    user2: { accessKeyId: env.S3_USER2_ACCESS_KEY, secretAccessKey: env.S3_USER2_SECRET_KEY, arn: env.S3_USER2_ARN },
    kmsKeyId: env.S3_KMS_KEY_ID,
    kmsKeyId2: env.S3_KMS_KEY_ID_2,
  };
}

/** The app's environment for writing as one of radosgw's users: its keys, and its ARN as the principal the generated policies trust. */
export function serverIdentityEnv(user: 'user1' | 'user2') {
  const u = rgwEnv()[user];
  return { S3_ACCESS_KEY_ID: u.accessKeyId, S3_SECRET_ACCESS_KEY: u.secretAccessKey, SPILLWAY_PRINCIPAL_ARN: u.arn };
}

export function adminS3(user: 'user1' | 'user2' = 'user1'): S3Client {
  const e = rgwEnv();
  return new S3Client({
    region: e.region,
    endpoint: e.endpoint,
    forcePathStyle: true,
    credentials: e[user],
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function newBucket(label = 'b'): Promise<string> {
  const name = `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
  await adminS3().send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

/** Empties and deletes a bucket: the store keeps its objects in memory (benchmarks upload gigabytes). */
export async function dropBucket(bucket: string) {
  const s3 = adminS3();
  let token: string | undefined;
  do {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    const keys = (out.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (keys.length) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

export async function setBucketPolicy(bucket: string, policy: unknown | null) {
  if (policy === null) await adminS3().send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
  else await adminS3().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
}

/** The keys under `prefix`: the data files, and the hour manifests too when `manifests` is set. */
export async function listKeys(bucket: string, prefix = '', opts: { manifests?: boolean } = {}): Promise<string[]> {
  const out = await adminS3().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? [])
    .map((o) => o.Key!)
    .filter((k) => opts.manifests || !k.includes(MANIFEST_FOLDER))
    .sort();
}

/** `as`: the reader; on radosgw an object belongs to its uploader, as on AWS without "bucket owner enforced". */
export async function getBytes(bucket: string, key: string, as: 'user1' | 'user2' = 'user1'): Promise<Uint8Array> {
  const out = await adminS3(as).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return new Uint8Array(await out.Body!.transformToByteArray());
}

export async function headObject(bucket: string, key: string, as: 'user1' | 'user2' = 'user1') {
  return adminS3(as).send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
}

/** Everything in the bucket, key -> bytes. */
export async function snapshot(bucket: string): Promise<Map<string, Buffer>> {
  const m = new Map<string, Buffer>();
  for (const k of await listKeys(bucket)) m.set(k, Buffer.from(await getBytes(bucket, k)));
  return m;
}

/** Creates an IAM role on radosgw that user1 may assume, allowed everything on S3. Returns its ARN. */
export async function createRole(name: string): Promise<string> {
  const { IAMClient, CreateRoleCommand, PutRolePolicyCommand } = await import('@aws-sdk/client-iam');
  const e = rgwEnv();
  const iam = new IAMClient({ region: e.region, endpoint: e.endpoint, credentials: e.user1 });
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: [e.user1.arn] }, Action: ['sts:AssumeRole'] }] };
  const out = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*'], Resource: ['arn:aws:s3:::*'] }] };
  await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'spillway-export', PolicyDocument: JSON.stringify(policy) }));
  iam.destroy();
  return out.Role!.Arn!;
}
