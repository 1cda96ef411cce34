// Engine settings. Built from env at the Node edge (lib/server/config.ts) or by tests; the engine never
// reads the environment itself.
import type { EndpointPolicy } from '../net/endpoint-policy';
import type { ArchiveSettings } from '../export/seal/store';
import type { SealSettings } from '../export/seal/seal';
import type { S3Settings } from '../s3/access';

export interface EngineConfig {
  s3: S3Settings;
  /** cut a new part once a part's uncompressed NDJSON passes this many bytes */
  partBytes: number;
  /** set to use fflate at this level instead of the platform's CompressionStream */
  gzipLevel?: number;
  /** the platform's zlib with larger buffers, where the runtime has one (lib/export/files/gzip.ts; the Node edge sets it) */
  gzipNative?: () => TransformStream<Uint8Array, Uint8Array>;
  /** attempts before a job is failed and the alarm email goes out */
  maxTries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** an hour is exported once it ended this long ago */
  graceMs: number;
  leaseMs: number;
  /** hours of a backfill planned per tick (backfills are planned lazily) */
  backfillPlanHours: number;
  /** a template for the per-project IAM role: {projectId} is replaced; empty = no role */
  roleArnTemplate?: string;
  /** the principal trusted by policies when no role is used (the account root or a user) */
  principalArn?: string;
  /** shown in emails */
  appUrl?: string;
  /** days of the bucket the daily integrity check compares (0: no check) */
  integrityDays: number;
  /** how connections' endpoints are resolved and which are allowed (the Node edge sets it) */
  endpoints?: EndpointPolicy;
  /** where sealed parts are kept: an S3-compatible archive (SPILLWAY_ARCHIVE_URL); unset, the database */
  archive?: ArchiveSettings;
  /** raw rows of sealed hours older than this many days are deleted (0: kept forever) */
  rawRetentionDays: number;
  /** job rows of empty hours done longer ago than this many days are deleted (0: kept forever; job-history.ts) */
  jobHistoryDays: number;
  /** a closed hour still not exported this long after it ended is told to the webhooks (0: never) */
  overdueMs: number;
}

export const DEFAULT_CONFIG: Omit<EngineConfig, 's3'> = {
  partBytes: 256 * 1024 * 1024,
  maxTries: 5,
  retryBaseMs: 30_000,
  retryMaxMs: 15 * 60_000,
  graceMs: 5 * 60_000,
  leaseMs: 5 * 60_000,
  backfillPlanHours: 1_000,
  integrityDays: 7,
  rawRetentionDays: 7,
  jobHistoryDays: 90,
  overdueMs: 3 * 3_600_000,
};

export function backoffMs(config: EngineConfig, tries: number): number {
  const base = Math.min(config.retryMaxMs, config.retryBaseMs * 2 ** Math.max(0, tries - 1));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/** What sealing takes of the engine's settings. */
export const sealSettings = (config: EngineConfig): SealSettings => ({
  partBytes: config.partBytes,
  gzip: config.gzipLevel !== undefined ? { level: config.gzipLevel } : config.gzipNative ? { native: config.gzipNative } : undefined,
  leaseMs: config.leaseMs,
});
