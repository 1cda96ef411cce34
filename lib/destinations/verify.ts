// Access verification for setup: checks each thing the export needs and returns a result per
// permission (what is missing and the policy line that grants it), never a bare "failed".
import { ExportError, troubleshoot, type Permission } from '../s3/errors';
import { normalizePrefix } from '../export/files/naming';
import { S3Access, type S3Destination, type S3Settings } from '../s3/access';

export type CheckId =
  'sts:AssumeRole' | 'bucket' | 's3:ListBucket' | 's3:GetBucketLocation' | 's3:PutObject' | 's3:PutObjectAcl' | 'kms:GenerateDataKey' | 's3:DeleteObject';

export interface CheckResult {
  id: CheckId;
  label: string;
  status: 'ok' | 'failed' | 'skipped';
  detail?: string;
  fix?: string;
}

export interface VerifyResult {
  ok: boolean;
  checks: CheckResult[];
  /** what is wrong, when not ok: no answer at all, refused credentials, no such bucket, wrong region, or permissions */
  problem?: 'unreachable' | 'credentials' | 'bucket' | 'region' | 'permissions';
}

/** The kind of problem an error of the first call shows, when it is not a missing permission. */
function blocker(e: unknown): VerifyResult['problem'] | null {
  if (!(e instanceof ExportError)) return null;
  if (e.kind === 'transient' && e.status === null) return 'unreachable';
  return e.permission === 'bucket' || e.permission === 'region' || e.permission === 'credentials' ? e.permission : null;
}

const LABELS: Record<CheckId, string> = {
  'sts:AssumeRole': "Assume the project's IAM role",
  bucket: 'Bucket exists',
  's3:ListBucket': 'List the bucket (s3:ListBucket)',
  's3:GetBucketLocation': 'Read the bucket region (s3:GetBucketLocation)',
  's3:PutObject': 'Write export files (s3:PutObject)',
  's3:PutObjectAcl': 'Give the bucket owner the files (s3:PutObjectAcl, bucket-owner-full-control)',
  'kms:GenerateDataKey': 'Encrypt with the KMS key (kms:GenerateDataKey)',
  's3:DeleteObject': 'Remove stale parts (s3:DeleteObject)',
};

function failure(id: CheckId, e: unknown, dest: S3Destination): CheckResult {
  const err = e instanceof ExportError ? e : new ExportError('internal', 'export', (e as Error)?.message ?? String(e));
  const t = troubleshoot(err, dest.bucket, normalizePrefix(dest.prefix));
  return { id, label: LABELS[id], status: 'failed', detail: t.summary, fix: t.help };
}

/** Which check a classified error belongs to (a PutObject can fail for KMS reasons). */
function checkFor(perm: Permission | null, fallback: CheckId): CheckId {
  return perm === 'kms:GenerateDataKey' || perm === 'bucket' ? perm : fallback;
}

const ACCESS_CHECK_BODY = new TextEncoder().encode('Spillway access check: safe to delete.\n');

/**
 * The upload checks: a PUT as exports send it (with the bucket-owner ACL); when it is refused, one
 * without the ACL tells a missing s3:PutObjectAcl from a missing s3:PutObject. With KMS, a failure
 * may be the key's instead.
 */
async function checkPut(s3: S3Access, key: string, dest: S3Destination, done: (r: CheckResult) => void) {
  const ok = (id: CheckId) => done({ id, label: LABELS[id], status: 'ok' });
  const skipped = (id: CheckId, detail: string) => done({ id, label: LABELS[id], status: 'skipped', detail });
  try {
    await s3.put(key, ACCESS_CHECK_BODY);
    ok('s3:PutObject');
    ok('s3:PutObjectAcl');
    if (dest.kmsKeyArn) ok('kms:GenerateDataKey');
    return;
  } catch (e) {
    const id = checkFor(e instanceof ExportError ? e.permission : null, 's3:PutObject');
    if (id === 's3:PutObject') {
      try {
        await s3.put(key, ACCESS_CHECK_BODY, { ownerAcl: false });
        ok('s3:PutObject');
        done(failure('s3:PutObjectAcl', new ExportError('access', 'PutObject', 'PutObject with x-amz-acl answered 403 AccessDenied', 's3:PutObjectAcl'), dest));
        if (dest.kmsKeyArn) ok('kms:GenerateDataKey');
        return;
      } catch {
        // refused without the ACL too: s3:PutObject itself is missing (reported below)
      }
    }
    done(failure(id, e, dest));
    if (id === 'kms:GenerateDataKey') skipped('s3:PutObject', 'cannot tell until the KMS key works');
    skipped('s3:PutObjectAcl', 'needs s3:PutObject first');
    if (id !== 'kms:GenerateDataKey' && dest.kmsKeyArn) skipped('kms:GenerateDataKey', 'needs s3:PutObject first');
  }
}

/**
 * Runs the checks in the order the export needs them, each one's result depending on the previous
 * (no role, no calls; no ListBucket, the bucket cannot be told apart): one sequence, kept in one place.
 */
export async function verifyAccess(dest: S3Destination, settings: S3Settings = {}): Promise<VerifyResult> {
  const checks: CheckResult[] = [];
  const ids: CheckId[] = [
    ...(dest.roleArn ? (['sts:AssumeRole'] as const) : []),
    'bucket',
    's3:ListBucket',
    's3:GetBucketLocation',
    's3:PutObject',
    's3:PutObjectAcl',
    ...(dest.kmsKeyArn ? (['kms:GenerateDataKey'] as const) : []),
    's3:DeleteObject',
  ];
  const done = (r: CheckResult) => checks.push(r);
  const skipRest = (reason: string) => {
    for (const id of ids) if (!checks.some((c) => c.id === id)) checks.push({ id, label: LABELS[id], status: 'skipped', detail: reason });
  };

  let s3: S3Access;
  try {
    s3 = await S3Access.open(dest, settings);
    if (dest.roleArn) done({ id: 'sts:AssumeRole', label: LABELS['sts:AssumeRole'], status: 'ok' });
  } catch (e) {
    done(failure(dest.roleArn ? 'sts:AssumeRole' : 'bucket', e, dest));
    skipRest('needs working credentials first');
    return { ok: false, checks, problem: blocker(e) ?? 'credentials' };
  }
  try {
    // bucket existence and ListBucket
    try {
      await s3.headBucket();
      done({ id: 'bucket', label: LABELS.bucket, status: 'ok' });
      await s3.list(`${normalizePrefix(dest.prefix)}spillway-access-check`);
      done({ id: 's3:ListBucket', label: LABELS['s3:ListBucket'], status: 'ok' });
    } catch (e) {
      const problem = blocker(e);
      if (problem) {
        done(failure('bucket', e, dest));
        skipRest(problem === 'unreachable' ? 'needs an answer from the endpoint first' : 'needs the bucket first');
        return { ok: false, checks, problem };
      }
      done({ id: 'bucket', label: LABELS.bucket, status: 'skipped', detail: 'cannot tell without s3:ListBucket' });
      done(failure('s3:ListBucket', e, dest));
    }
    try {
      const location = await s3.bucketLocation();
      const region = dest.region || 'us-east-1';
      // custom endpoints name their zones freely (radosgw says "default"); compare only real AWS regions
      if (/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(location) && location !== region) {
        done({
          id: 's3:GetBucketLocation',
          label: LABELS['s3:GetBucketLocation'],
          status: 'failed',
          detail: `The bucket is in ${location}, not ${region}`,
          fix: `Set the region to ${location}.`,
        });
      } else done({ id: 's3:GetBucketLocation', label: LABELS['s3:GetBucketLocation'], status: 'ok', detail: `region ${location}` });
    } catch (e) {
      done(failure('s3:GetBucketLocation', e, dest));
    }
    const key = `${normalizePrefix(dest.prefix)}spillway-access-check-${crypto.randomUUID()}.txt`;
    await checkPut(s3, key, dest, done);
    try {
      // deleting a missing key still needs s3:DeleteObject, so this works whether or not the PUT did
      await s3.delete(key);
      done({ id: 's3:DeleteObject', label: LABELS['s3:DeleteObject'], status: 'ok' });
    } catch (e) {
      done(failure('s3:DeleteObject', e, dest));
    }
  } finally {
    s3.close();
  }
  const order = new Map(ids.map((id, i) => [id, i]));
  checks.sort((a, b) => (order.get(a.id) ?? 99) - (order.get(b.id) ?? 99));
  const ok = checks.every((c) => c.status === 'ok');
  return ok ? { ok, checks } : { ok, checks, problem: 'permissions' };
}
