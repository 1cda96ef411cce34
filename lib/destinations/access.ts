// Who the bucket must trust and whether it does: the principal (per-project role or the server's), the
// generated bucket and KMS key policies, verification as the connection will run, and creating a
// connection only once verification passes.
import type { Db } from '../db/types';
import { bucketPolicy, kmsKeyPolicy, roleArnFor } from './policy';
import { verifyAccess, type VerifyResult } from './verify';
import type { EngineConfig } from '../jobs/config';
import { ConflictError, VerificationFailed } from './errors';
import type { DestinationFields } from './fields';
import { createDestination } from './lifecycle';
import { checkAllowed } from './rules';

export interface Principal {
  /** the ARN the bucket policy and KMS key policy trust */
  arn: string;
  /** the per-project role exports assume, or null when the server's own credentials are used */
  roleArn: string | null;
}

/** Per-project IAM role when a template is configured; otherwise the server's own principal. */
export function principalFor(config: EngineConfig, projectId: number): Principal {
  const roleArn = roleArnFor(config.roleArnTemplate, projectId);
  if (roleArn) return { arn: roleArn, roleArn };
  if (config.principalArn) return { arn: config.principalArn, roleArn: null };
  throw new ConflictError(
    'principal',
    'This Spillway server has no IAM identity configured: set SPILLWAY_ROLE_ARN_TEMPLATE (one role per project) or SPILLWAY_PRINCIPAL_ARN, then restart it.',
  );
}

export function policiesFor(config: EngineConfig, f: DestinationFields) {
  const principal = principalFor(config, f.projectId);
  const bucket = bucketPolicy({ bucket: f.bucket, prefix: f.prefix, principal: principal.arn });
  // the key policy names the account that administers the key: from the form, else the key's ARN
  const accountId = f.awsAccountId || (f.kmsKeyArn ? accountOfArn(f.kmsKeyArn) : null);
  const kms = f.kmsKeyArn ? kmsKeyPolicy({ principal: principal.arn, accountId: accountId ?? ACCOUNT_PLACEHOLDER }) : null;
  const kmsKeyPolicyNote =
    f.kmsKeyArn && !accountId
      ? `Replace ${ACCOUNT_PLACEHOLDER} with your 12-digit AWS account ID (or enter the AWS account ID above, or give the key's full ARN): the key policy's first statement keeps your account's administrators in control of the key.`
      : null;
  return { principal, bucketPolicy: bucket, kmsKeyPolicy: kms, kmsKeyPolicyNote };
}

const ACCOUNT_PLACEHOLDER = 'YOUR_ACCOUNT_ID';

function accountOfArn(arn: string): string | null {
  return /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1] ?? null;
}

/** Verification as the connection will run: its principal (per-project role or the server's). */
async function verify(db: Db, config: EngineConfig, orgId: number, f: DestinationFields) {
  await checkAllowed(db, orgId, f, { endpoints: config.endpoints });
  const principal = principalFor(config, f.projectId);
  return { principal, result: await verifyAccess({ ...f, roleArn: principal.roleArn }, config.s3) };
}

export async function verifyFields(db: Db, config: EngineConfig, orgId: number, f: DestinationFields): Promise<VerifyResult> {
  return (await verify(db, config, orgId, f)).result;
}

/** Verifies access (again, server-side) and creates the connection: hourly exports start at once. */
export async function createVerified(db: Db, config: EngineConfig, orgId: number, userId: number, f: DestinationFields, now = Date.now()) {
  const { principal, result } = await verify(db, config, orgId, f);
  if (!result.ok) throw new VerificationFailed(result);
  // checked again: verification takes seconds, in which another connection may have claimed the bucket
  await checkAllowed(db, orgId, f, { endpoints: config.endpoints });
  const d = await createDestination(db, { orgId, createdBy: userId, ...f, roleArn: principal.roleArn, verifiedAt: now }, now);
  return { destination: d, result };
}
