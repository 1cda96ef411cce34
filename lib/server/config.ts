// The server's configuration from the environment: the one module that reads process.env (lint keeps
// it so). Bad values stop start-up with a clear message.
import { availableParallelism } from 'node:os';
import { DEFAULT_CONFIG, type EngineConfig } from '../jobs/config';
import type { SmtpSettings } from '../notify/mailer';
import { archiveFromEnv } from './archive';
import { nodeGzipStream } from './node-gzip';
import { endpointPolicy } from './outbound';

function intEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  return n;
}

export function engineConfigFromEnv(env: NodeJS.ProcessEnv = process.env): EngineConfig {
  const key = env.S3_ACCESS_KEY_ID ?? env.AWS_ACCESS_KEY_ID;
  const secret = env.S3_SECRET_ACCESS_KEY ?? env.AWS_SECRET_ACCESS_KEY;
  const level = env.EXPORT_GZIP_LEVEL;
  return {
    ...DEFAULT_CONFIG,
    s3: {
      baseCredentials: key && secret ? { accessKeyId: key, secretAccessKey: secret, sessionToken: env.AWS_SESSION_TOKEN || undefined } : undefined,
      secretKey: env.SPILLWAY_SECRET_KEY,
      stsEndpoint: env.S3_STS_ENDPOINT || undefined,
      // Node's fetch sends a streamed body with its Content-Length: parts go out as history is read
      streamUploads: true,
    },
    partBytes: intEnv(env, 'EXPORT_PART_BYTES', DEFAULT_CONFIG.partBytes, 1024, 4 * 1024 ** 3),
    gzipLevel: level === undefined || level === '' ? undefined : intEnv(env, 'EXPORT_GZIP_LEVEL', 6, 0, 9),
    gzipNative: nodeGzipStream,
    maxTries: intEnv(env, 'EXPORT_MAX_TRIES', DEFAULT_CONFIG.maxTries, 1, 100),
    retryBaseMs: intEnv(env, 'EXPORT_RETRY_BASE_MS', DEFAULT_CONFIG.retryBaseMs, 0, 3_600_000),
    retryMaxMs: intEnv(env, 'EXPORT_RETRY_MAX_MS', DEFAULT_CONFIG.retryMaxMs, 0, 24 * 3_600_000),
    graceMs: intEnv(env, 'EXPORT_GRACE_MS', DEFAULT_CONFIG.graceMs, 0, 3_600_000),
    leaseMs: intEnv(env, 'EXPORT_LEASE_MS', DEFAULT_CONFIG.leaseMs, 5_000, 3_600_000),
    backfillPlanHours: intEnv(env, 'EXPORT_BACKFILL_PLAN_HOURS', DEFAULT_CONFIG.backfillPlanHours, 1, 100_000),
    integrityDays: intEnv(env, 'SPILLWAY_INTEGRITY_DAYS', DEFAULT_CONFIG.integrityDays, 0, 90),
    rawRetentionDays: intEnv(env, 'SPILLWAY_RAW_RETENTION_DAYS', DEFAULT_CONFIG.rawRetentionDays, 0, 36_500),
    jobHistoryDays: intEnv(env, 'SPILLWAY_JOB_HISTORY_DAYS', DEFAULT_CONFIG.jobHistoryDays, 0, 36_500),
    overdueMs: intEnv(env, 'SPILLWAY_OVERDUE_HOURS', DEFAULT_CONFIG.overdueMs / 3_600_000, 0, 24 * 365) * 3_600_000,
    archive: archiveFromEnv(env),
    roleArnTemplate: env.SPILLWAY_ROLE_ARN_TEMPLATE || undefined,
    principalArn: env.SPILLWAY_PRINCIPAL_ARN || undefined,
    appUrl: env.SPILLWAY_APP_URL || undefined,
    endpoints: endpointPolicy(allowPrivateEndpoints(env)),
  };
}

export function schedulerSettings(env: NodeJS.ProcessEnv = process.env) {
  return {
    intervalMs: intEnv(env, 'SPILLWAY_TICK_INTERVAL_MS', 60_000, 1_000, 3_600_000),
    budgetMs: intEnv(env, 'SPILLWAY_TICK_BUDGET_MS', 50_000, 1_000, 3_600_000),
  };
}

let cached: EngineConfig | null = null;
/** The engine configuration of this process (env is read once). */
export function serverConfig(): EngineConfig {
  return (cached ??= engineConfigFromEnv());
}

/** The free space under which the health check answers 503, for a `file:` database's disk. */
export const minFreeDiskMb = (env: NodeJS.ProcessEnv = process.env) => intEnv(env, 'SPILLWAY_MIN_FREE_DISK_MB', 128, 0, 10_000_000);

/** Events per second one api_key may send (all devices together); 429 beyond, as Amplitude does. */
export function ingestOptions(env: NodeJS.ProcessEnv = process.env) {
  return {
    keyEpsLimit: intEnv(env, 'INGEST_MAX_EPS_PER_API_KEY', 50_000, 1, 10_000_000),
    writeWaitMs: intEnv(env, 'INGEST_WRITE_WAIT_MS', 10_000, 0, 120_000),
  };
}

const DEFAULT_DATABASE_URL = 'file:./.data/spillway.db';

/** DATABASE_URL (a `file:` path, default ./.data/spillway.db, or a libSQL URL) and its token. */
export const databaseSettings = (env: NodeJS.ProcessEnv = process.env) => ({
  url: env.DATABASE_URL || DEFAULT_DATABASE_URL,
  authToken: env.DATABASE_AUTH_TOKEN || undefined,
});

/** Connections may reach private addresses (a self-hosted store on the LAN): SPILLWAY_ALLOW_PRIVATE_ENDPOINTS=true. */
export const allowPrivateEndpoints = (env: NodeJS.ProcessEnv = process.env) => env.SPILLWAY_ALLOW_PRIVATE_ENDPOINTS === 'true';

/** The archive of sealed hours (SPILLWAY_ARCHIVE_URL), when one is set. */
export const archiveSettings = (env: NodeJS.ProcessEnv = process.env) => archiveFromEnv(env);

/** The app's public URL (links in emails and invitations; https here means cookies are Secure). */
export const appUrl = (env: NodeJS.ProcessEnv = process.env) => env.SPILLWAY_APP_URL?.replace(/\/+$/, '') || undefined;

/** SPILLWAY_TRUST_PROXY as given (lib/server/request.ts parses it). */
export const trustProxySetting = (env: NodeJS.ProcessEnv = process.env) => env.SPILLWAY_TRUST_PROXY;

/** The token a scrape of /api/metrics presents (SPILLWAY_METRICS_TOKEN); unset, the metrics are off. */
export const metricsToken = (env: NodeJS.ProcessEnv = process.env) => env.SPILLWAY_METRICS_TOKEN || undefined;

/** The secret the cron door compares (CRON_SECRET); unset, the door is closed. */
export const cronSecret = (env: NodeJS.ProcessEnv = process.env) => env.CRON_SECRET || undefined;

/** Country, region and city from the IP through the bundled GeoIP data, unless SPILLWAY_GEOIP=off. */
export const geoipEnabled = (env: NodeJS.ProcessEnv = process.env) => env.SPILLWAY_GEOIP !== 'off';

/** What start-up does: the first admin (when both are set and no user exists), and the in-process scheduler. */
export function bootSettings(env: NodeJS.ProcessEnv = process.env) {
  const email = env.SPILLWAY_ADMIN_EMAIL;
  const password = env.SPILLWAY_ADMIN_PASSWORD;
  return {
    firstAdmin: email && password ? { email, password, orgName: env.SPILLWAY_ORG_NAME ?? 'My organisation' } : null,
    scheduler: env.SPILLWAY_SCHEDULER !== 'off',
  };
}

/** How many threads parse requests: SPILLWAY_INGEST_WORKERS, else one per core but one (0: ingest on the main thread). */
export function ingestWorkerCount(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SPILLWAY_INGEST_WORKERS;
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 64) throw new Error(`SPILLWAY_INGEST_WORKERS must be an integer from 0 to 64 (got "${raw}")`);
    return n;
  }
  return Math.max(1, Math.min(8, availableParallelism() - 1));
}

/** Where alarm emails go out: SMTP_URL, or SMTP_HOST and its settings; null when neither is set. */
export function smtpSettings(env: NodeJS.ProcessEnv = process.env): SmtpSettings | null {
  const from = env.MAIL_FROM || 'Spillway <spillway@localhost>';
  if (env.SMTP_URL) return { url: env.SMTP_URL, from };
  if (!env.SMTP_HOST) return null;
  return {
    host: env.SMTP_HOST,
    port: Number(env.SMTP_PORT || 587),
    secure: env.SMTP_SECURE === 'true',
    user: env.SMTP_USER || undefined,
    pass: env.SMTP_PASS ?? '',
    // loopback test servers have no certificate
    ignoreTLS: env.SMTP_IGNORE_TLS === 'true',
    from,
  };
}
