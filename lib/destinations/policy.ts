// Bucket policy and KMS key policy generators: the exact JSON a user pastes into AWS at setup,
// granting exactly what the export uses (and what access verification checks).
import { normalizePrefix } from '../export/files/naming';

export const BUCKET_ACTIONS = ['s3:ListBucket', 's3:GetBucketLocation'] as const;
// s3:PutObjectAcl: uploads carry the bucket-owner-full-control ACL, so the bucket owner can read them;
// s3:GetObject: only the file preview reads them back (exports never need it)
export const OBJECT_ACTIONS = ['s3:PutObject', 's3:PutObjectAcl', 's3:DeleteObject', 's3:GetObject'] as const;
export const KMS_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'] as const;

export interface PolicyInput {
  bucket: string;
  prefix: string;
  /** the IAM principal Spillway exports as: the per-project role, or (legacy) an account root/user */
  principal: string;
}

export function bucketPolicy({ bucket, prefix, principal }: PolicyInput) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'SpillwayExportBucket',
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: [...BUCKET_ACTIONS],
        Resource: `arn:aws:s3:::${bucket}`,
      },
      {
        Sid: 'SpillwayExportObjects',
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: [...OBJECT_ACTIONS],
        Resource: `arn:aws:s3:::${bucket}/${normalizePrefix(prefix)}*`,
      },
    ],
  };
}

/** A complete key policy: the account keeps administering its key; Spillway may only encrypt. */
export function kmsKeyPolicy({ principal, accountId }: { principal: string; accountId: string }) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EnableAccountAdministration',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'SpillwayExportEncrypt',
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: [...KMS_ACTIONS],
        Resource: '*',
      },
    ],
  };
}

/** The per-project role ARN from a template such as `arn:aws:iam::123456789012:role/spillway-project-{projectId}`. */
export function roleArnFor(template: string | undefined, projectId: number): string | null {
  return template ? template.replace(/\{projectId\}/g, String(projectId)) : null;
}
