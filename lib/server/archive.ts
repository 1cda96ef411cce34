// SPILLWAY_ARCHIVE_URL: where sealed hours are kept when not in the database (lib/export/seal/store.ts).
import type { ArchiveSettings } from '../export/seal/store';

const ARCHIVE_FORMS =
  'SPILLWAY_ARCHIVE_URL must be s3://bucket[/prefix] (AWS) or http(s)://host[:port]/bucket[/prefix] (an S3-compatible store), with ?region=… when not us-east-1';

/**
 * Where sealed hours are kept when not in the database: SPILLWAY_ARCHIVE_URL, with its own keys
 * (SPILLWAY_ARCHIVE_ACCESS_KEY_ID, SPILLWAY_ARCHIVE_SECRET_ACCESS_KEY) or the server's.
 */
export function archiveFromEnv(env: NodeJS.ProcessEnv): ArchiveSettings | undefined {
  const raw = env.SPILLWAY_ARCHIVE_URL;
  if (!raw) return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`${ARCHIVE_FORMS} (got "${raw}")`);
  }
  const region = u.searchParams.get('region') || 'us-east-1';
  let bucket: string;
  let path: string;
  let endpoint = '';
  if (u.protocol === 's3:') {
    bucket = u.hostname;
    path = u.pathname.slice(1);
  } else if (u.protocol === 'http:' || u.protocol === 'https:') {
    endpoint = u.origin;
    const [first, ...rest] = u.pathname.slice(1).split('/');
    bucket = first;
    path = rest.join('/');
  } else throw new Error(`${ARCHIVE_FORMS} (got "${raw}")`);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new Error(`${ARCHIVE_FORMS}: "${bucket}" is not a bucket name`);
  const key = env.SPILLWAY_ARCHIVE_ACCESS_KEY_ID;
  const secret = env.SPILLWAY_ARCHIVE_SECRET_ACCESS_KEY;
  return {
    bucket,
    prefix: path === '' || path.endsWith('/') ? path : `${path}/`,
    endpoint,
    region,
    forcePathStyle: endpoint !== '',
    credentials: key && secret ? { accessKeyId: key, secretAccessKey: secret } : undefined,
  };
}
