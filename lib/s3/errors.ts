// Export errors told apart: access (a permission or setting on the customer's side), transient (retry),
// storage (Spillway's own database, disk or archive: lib/db/storage-fault.ts), internal (ours). The one place that maps an S3/KMS/STS failure to the missing permission and the
// troubleshooting text shown in the UI and sent by email.
export type Operation = 'PutObject' | 'ListObjectsV2' | 'HeadBucket' | 'GetBucketLocation' | 'DeleteObject' | 'GetObject' | 'AssumeRole';
export type Permission =
  | 's3:PutObject'
  | 's3:ListBucket'
  | 's3:GetBucketLocation'
  | 's3:DeleteObject'
  | 's3:PutObjectAcl'
  | 's3:GetObject'
  | 'kms:GenerateDataKey'
  | 'sts:AssumeRole'
  | 'bucket'
  | 'region'
  | 'credentials';
export type ErrorKind = 'access' | 'transient' | 'storage' | 'internal';

export const OPERATION_PERMISSION: Record<Operation, Permission> = {
  PutObject: 's3:PutObject',
  ListObjectsV2: 's3:ListBucket',
  HeadBucket: 's3:ListBucket',
  GetBucketLocation: 's3:GetBucketLocation',
  DeleteObject: 's3:DeleteObject',
  GetObject: 's3:GetObject',
  AssumeRole: 'sts:AssumeRole',
};

export class ExportError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly operation: Operation | 'export',
    message: string,
    readonly permission: Permission | null = null,
    readonly code: string | null = null,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'ExportError';
  }
}

const TRANSIENT_CODES = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestTimeTooSkewed',
  'OperationAborted',
  'TimeoutError',
  'NetworkingError',
]);
const CREDENTIAL_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'InvalidClientTokenId',
  'CredentialsProviderError',
]);
const REGION_CODES = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException', 'IncorrectEndpoint']);

/** Why a request got no answer, in Spillway's words (from the error's cause code, never its text). */
export function networkProblem(e: unknown): string {
  let code = '';
  for (let err = e as { code?: unknown; name?: unknown; cause?: unknown } | undefined, i = 0; err && i < 5; err = err.cause as typeof err, i++) {
    if (typeof err.code === 'string') {
      code = err.code;
      break;
    }
    if (err.name === 'TimeoutError') {
      code = 'TIMEOUT';
      break;
    }
  }
  if (code === 'SPILLWAY_PRIVATE_ADDRESS')
    return 'refused: the endpoint resolves to a private or local address (set SPILLWAY_ALLOW_PRIVATE_ENDPOINTS=true for a store on your own network)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return 'the host name does not resolve (DNS)';
  if (code === 'ECONNREFUSED') return 'the connection was refused (nothing listens at that address and port)';
  if (code === 'TIMEOUT' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT')
    return 'the server did not answer in time';
  if (/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code)) return 'the TLS connection failed (certificate not trusted, or not an HTTPS server)';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'the connection was closed before an answer';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'the host is unreachable';
  return 'the endpoint could not be reached';
}

/**
 * Maps one failed call to an ExportError. `status` is undefined for network failures, and then
 * `message` is Spillway's own (networkProblem). A server's own error text is never kept: only its
 * status and error code reach the UI and emails (an endpoint may be anyone's server).
 */
export function classify(op: Operation, status: number | undefined, code: string | undefined, message: string, usesKms: boolean): ExportError {
  const c = /^[A-Za-z0-9.]{1,64}$/.test(code ?? '') ? (code as string) : '';
  const where = status === undefined ? `${op} failed: ${message}` : `${op} answered ${status}${c ? ` ${c}` : ''}`;
  if (status === undefined || status >= 500 || status === 429 || TRANSIENT_CODES.has(c)) {
    return new ExportError('transient', op, where, null, c || null, status ?? null);
  }
  if (c === 'NoSuchBucket' || (status === 404 && (op === 'HeadBucket' || op === 'GetBucketLocation' || op === 'ListObjectsV2'))) {
    return new ExportError('access', op, where, 'bucket', c || 'NoSuchBucket', status);
  }
  if (REGION_CODES.has(c) || status === 301) return new ExportError('access', op, where, 'region', c || null, status);
  if (CREDENTIAL_CODES.has(c)) return new ExportError('access', op, where, 'credentials', c, status);
  const kmsHint = /kms/i.test(c) || /kms|key ?id|encryption key/i.test(message);
  if (op === 'PutObject' && usesKms && (kmsHint || (status === 400 && c !== 'AccessDenied'))) {
    return new ExportError('access', op, where, 'kms:GenerateDataKey', c || null, status);
  }
  if (status === 403 || c === 'AccessDenied' || c === 'Forbidden') {
    return new ExportError('access', op, where, OPERATION_PERMISSION[op], c || 'AccessDenied', status);
  }
  return new ExportError('internal', op, where, null, c || null, status);
}

const PERMISSION_HELP: Record<Permission, string> = {
  's3:PutObject':
    'The bucket policy does not allow s3:PutObject on the export prefix. Add "s3:PutObject" (and "s3:PutObjectAcl": uploads give the bucket owner full control of the files) to the Action list of the statement whose Resource is "arn:aws:s3:::BUCKET/PREFIX*".',
  's3:GetObject':
    'The bucket policy does not allow s3:GetObject on the export prefix, which only the file preview needs (exports do not). Add "s3:GetObject" to the statement whose Resource is "arn:aws:s3:::BUCKET/PREFIX*" to look inside files from Spillway.',
  's3:PutObjectAcl':
    'The bucket policy does not allow s3:PutObjectAcl on the export prefix. Spillway uploads with the bucket-owner-full-control ACL so that the bucket owner can read the files; add "s3:PutObjectAcl" to the statement whose Resource is "arn:aws:s3:::BUCKET/PREFIX*".',
  's3:ListBucket':
    'The bucket policy does not allow s3:ListBucket on the bucket. Add "s3:ListBucket" to the statement whose Resource is "arn:aws:s3:::BUCKET".',
  's3:GetBucketLocation':
    'The bucket policy does not allow s3:GetBucketLocation. Add "s3:GetBucketLocation" to the statement whose Resource is "arn:aws:s3:::BUCKET".',
  's3:DeleteObject':
    'The bucket policy does not allow s3:DeleteObject on the export prefix (needed to remove stale parts when an hour is re-exported). Add "s3:DeleteObject" to the statement whose Resource is "arn:aws:s3:::BUCKET/PREFIX*".',
  'kms:GenerateDataKey':
    'The KMS key cannot be used to encrypt the export files. Add kms:GenerateDataKey (and kms:Decrypt) for the export principal to the KMS key policy, and check that the key ARN is right and the key is enabled.',
  'sts:AssumeRole':
    "Spillway could not assume the project's IAM role. Check that the role exists and that its trust policy allows Spillway's principal to call sts:AssumeRole.",
  bucket: 'The bucket does not exist (or the name is misspelled). Create it, or fix the bucket name in the connection settings.',
  region: 'The bucket is in another region than the one configured. Fix the region in the connection settings.',
  credentials: "Spillway's AWS credentials were refused (invalid, expired or revoked keys). Check the credentials the server is configured with.",
};

export interface Troubleshooting {
  permission: Permission | null;
  summary: string;
  help: string;
}

/** Human text for an error: what is missing, what call failed, how to fix it. */
export function troubleshoot(err: ExportError, bucket: string, prefix: string): Troubleshooting {
  if (err.kind === 'access' && err.permission) {
    const help = PERMISSION_HELP[err.permission].replace(/BUCKET/g, bucket).replace(/PREFIX/g, prefix);
    const summary =
      err.permission === 'bucket'
        ? `Bucket "${bucket}" does not exist`
        : err.permission === 'region'
          ? `Wrong region for bucket "${bucket}"`
          : err.permission === 'credentials'
            ? 'AWS credentials refused'
            : `Missing permission ${err.permission}`;
    return { permission: err.permission, summary, help: `${help}\nFailed call: ${err.message}` };
  }
  if (err.kind === 'transient' && err.status === null) {
    // no answer at all: not a permission; the endpoint, DNS, TLS or the network
    return {
      permission: null,
      summary: 'S3 endpoint unreachable',
      help: `Spillway got no answer from the storage: ${err.message.replace(/^\w+ failed: /, '')}. Check the endpoint URL and region, DNS, firewalls and TLS; Spillway retries with backoff.\nFailed call: ${err.message}`,
    };
  }
  if (err.kind === 'transient') {
    return {
      permission: null,
      summary: 'Temporary S3 error',
      help: `S3 or the network failed temporarily; Spillway retries with backoff.\nFailed call: ${err.message}`,
    };
  }
  if (err.kind === 'storage') {
    return {
      permission: null,
      summary: "Spillway's own storage failed, not your bucket",
      help: `${err.message}. Nothing is wrong with bucket "${bucket}" and nothing needs changing on your side: Spillway's operator is told in its log and by its health check, no try is counted and no alarm is sent, and the hour is tried again at every tick of the export schedule until the fault clears.`,
    };
  }
  return { permission: null, summary: 'Export error', help: err.message };
}
