// Validation of the S3 bucket information a user enters at setup. One message per field, worded for
// the person filling in the form; the only place these rules live (the UI shows what comes back).
import { InputError } from '../util/errors';
import { filterProblem, filterText, type EventFilter } from '../export/files/event-filter';
import { FILE_FORMATS, LINE_FORMATS, type FileFormat, type LineFormat } from '../export/files/format';
import { folderProblem, normalizePrefix } from '../export/files/naming';

/** Bad input in one field of the connection form: 400 naming the field, so the UI marks it. */
export class FieldError extends InputError {
  constructor(
    readonly field: string,
    message: string,
    /** every bad field of the form when there are several: field → message */
    fields?: Record<string, string>,
  ) {
    super(message, fields ? { field, fields } : { field });
  }
}

export interface DestinationFields {
  projectId: number;
  exportEvents: boolean;
  exportMerged: boolean;
  awsAccountId: string | null;
  bucket: string;
  region: string;
  prefix: string;
  kmsKeyArn: string | null;
  /** '' for AWS; otherwise the origin of an S3-compatible store */
  endpoint: string;
  forcePathStyle: boolean;
  /** folders between the prefix and the file names (a template), null for Amplitude's flat names */
  keyFolders: string | null;
  /** the event types exported (canonical text, event-filter.ts), null for all */
  eventFilter: string | null;
  /** how event files are encoded */
  fileFormat: FileFormat;
  /** the JSON lines' layout: today's (the default for a new connection), or 2020's documented one */
  lineFormat: LineFormat;
}

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : null);

function field(body: Record<string, unknown>, name: string): string {
  const v = str(body[name]);
  if (v === null) throw new FieldError(name, `${name} must be text`);
  return v;
}

/** S3 bucket naming rules (the subset that makes a name unusable). */
export function bucketProblem(b: string): string | null {
  if (b === '') return 'Enter the bucket name';
  if (b.length < 3 || b.length > 63) return 'Bucket names are 3 to 63 characters long';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(b))
    return 'Bucket names use only lowercase letters, digits, dots and hyphens, and start and end with a letter or digit';
  if (b.includes('..')) return 'Bucket names cannot contain two dots in a row';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(b)) return 'Bucket names cannot look like an IP address';
  if (b.startsWith('s3://') || b.startsWith('arn:')) return 'Enter only the bucket name, not a URL or ARN';
  return null;
}

export function endpointOrigin(raw: string): string {
  if (raw === '') return '';
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new FieldError('endpoint', 'The endpoint must be a URL such as https://s3.example.com');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new FieldError('endpoint', 'The endpoint must start with https:// (or http:// for a local store)');
  if (u.username || u.password) throw new FieldError('endpoint', 'Do not put credentials in the endpoint URL');
  if (u.pathname !== '/' || u.search || u.hash)
    throw new FieldError('endpoint', 'The endpoint is the server only (no path): the bucket name goes in its own field');
  return u.origin;
}

function bool(body: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const v = body[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new FieldError(name, `${name} must be true or false`);
  return v;
}

export function prefixProblem(p: string): string | null {
  if (p.length > 512) return 'The prefix is at most 512 characters';
  // S3's safe characters only: anything else (spaces, ? = & $ @, Unicode look-alikes such as U+202E or a
  // fullwidth slash) makes keys that break URLs or pass for other folders in the S3 console
  if (!/^[A-Za-z0-9/!\-_.*()]*$/.test(p)) return 'The prefix may use letters, digits and / ! - _ . * ( ) only';
  if (p.split('/').some((seg, i, all) => seg === '..' || seg === '.' || (seg === '' && i > 0 && i < all.length - 1)))
    return 'The prefix cannot contain empty, "." or ".." folders';
  return null;
}

export function parsePrefix(raw: unknown): string {
  const p = str(raw);
  if (p === null) throw new FieldError('prefix', 'prefix must be text');
  const problem = prefixProblem(p);
  if (problem) throw new FieldError('prefix', problem);
  return normalizePrefix(p);
}

/** The key layout: '' or null for Amplitude's flat names, else a folder template (naming.ts says which). */
export function parseKeyFolders(raw: unknown, exportsMerged: boolean): string | null {
  const t = str(raw);
  if (t === null) throw new FieldError('keyFolders', 'keyFolders must be text');
  if (t === '') return null;
  const problem = folderProblem(t, exportsMerged);
  if (problem) throw new FieldError('keyFolders', problem);
  return t;
}

/** The event filter: null (every event) or { mode: 'include' | 'exclude', types: [names or prefix*] }, stored canonical. */
export function parseEventFilter(raw: unknown): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new FieldError('eventFilter', 'eventFilter is null or { mode, types }');
  const { mode, types } = raw as Record<string, unknown>;
  if (!Array.isArray(types) || types.some((t) => typeof t !== 'string')) throw new FieldError('eventFilter', 'types must be a list of event types');
  const f = { mode, types: (types as string[]).map((t) => t.trim()).filter(Boolean) } as EventFilter;
  const problem = filterProblem(f);
  if (problem) throw new FieldError('eventFilter', problem);
  return filterText(f);
}

/** The JSON lines' layout: 'current' (the default) or 'documented'. */
export function parseLineFormat(raw: unknown): LineFormat {
  if (raw === undefined || raw === null || raw === '') return 'current';
  if (!LINE_FORMATS.includes(raw as LineFormat)) throw new FieldError('lineFormat', `lineFormat must be one of ${LINE_FORMATS.join(', ')}`);
  return raw as LineFormat;
}

/** How event files are encoded: 'json' (gzip NDJSON, the default) or 'parquet'. */
export function parseFileFormat(raw: unknown): FileFormat {
  if (raw === undefined || raw === null || raw === '') return 'json';
  if (!FILE_FORMATS.includes(raw as FileFormat)) throw new FieldError('fileFormat', `fileFormat must be one of ${FILE_FORMATS.join(', ')}`);
  return raw as FileFormat;
}

export function parseDataChoice(body: Record<string, unknown>, fallback = { exportEvents: true, exportMerged: false }) {
  const exportEvents = bool(body, 'exportEvents', fallback.exportEvents);
  const exportMerged = bool(body, 'exportMerged', fallback.exportMerged);
  if (!exportEvents && !exportMerged) throw new FieldError('data', 'Choose events, merged Amplitude IDs, or both');
  return { exportEvents, exportMerged };
}

/**
 * Parses and checks the setup form. Every bad field is named at once: the FieldError thrown names the
 * first (`field`) and carries all of them (`fields`: field → message), so the form marks each.
 */
export function parseDestinationFields(body: Record<string, unknown>): DestinationFields {
  const errors: FieldError[] = [];
  // each check on its own: one bad field does not hide the next
  const check = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      errors.push(e);
      return fallback;
    }
  };
  const projectId = check(() => {
    const p = body.projectId;
    if (typeof p !== 'number' || !Number.isSafeInteger(p) || p <= 0) throw new FieldError('projectId', 'Choose a project');
    return p;
  }, 0);
  const { exportEvents, exportMerged } = check(() => parseDataChoice(body), { exportEvents: true, exportMerged: false });
  const endpoint = check(() => endpointOrigin(field(body, 'endpoint')), '');
  const bucket = check(() => {
    const b = field(body, 'bucket');
    const bp = bucketProblem(b);
    if (bp) throw new FieldError('bucket', bp);
    return b;
  }, '');
  const region = check(() => {
    const r = field(body, 'region') || 'us-east-1';
    if (!/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/.test(r) && !(endpoint && /^[A-Za-z0-9_-]{1,64}$/.test(r))) {
      throw new FieldError('region', 'Enter an AWS region such as us-east-1');
    }
    return r;
  }, '');
  const account = check(() => {
    const a = field(body, 'awsAccountId').replace(/[\s-]/g, '');
    // AWS account ids are 12 digits; S3-compatible stores often have none
    if (!endpoint && !/^\d{12}$/.test(a)) throw new FieldError('awsAccountId', 'The AWS account ID is the 12-digit number shown in the AWS console');
    if (endpoint && a && !/^\d{12}$/.test(a))
      throw new FieldError('awsAccountId', 'The account ID is 12 digits (or leave it empty for an S3-compatible store)');
    return a;
  }, '');
  const prefix = check(() => parsePrefix(body.prefix), '');
  const kms = check(() => parseKmsKeyArn(body.kmsKeyArn, endpoint, false), null);
  const forcePathStyle = check(() => bool(body, 'forcePathStyle', endpoint !== '' || bucket.includes('.')), false);
  const keyFolders = check(() => parseKeyFolders(body.keyFolders, exportMerged), null);
  const eventFilter = check(() => parseEventFilter(body.eventFilter), null);
  const fileFormat = check(() => parseFileFormat(body.fileFormat), 'json' as FileFormat);
  const lineFormat = check(() => parseLineFormat(body.lineFormat), 'current' as LineFormat);
  if (errors.length > 0) {
    const fields = Object.fromEntries(errors.map((e) => [e.field, e.message]));
    throw new FieldError(errors[0].field, errors[0].message, fields);
  }
  return {
    projectId,
    exportEvents,
    exportMerged,
    awsAccountId: account || null,
    bucket,
    region,
    prefix,
    kmsKeyArn: kms,
    endpoint,
    forcePathStyle,
    keyFolders,
    eventFilter,
    fileFormat,
    lineFormat,
  };
}

/** A KMS key ARN (AWS), or a key id for S3-compatible stores, which name keys freely. */
export function parseKmsKeyArn(raw: unknown, endpoint: string, required: boolean): string | null {
  const kms = str(raw);
  if (kms === null) throw new FieldError('kmsKeyArn', 'kmsKeyArn must be text');
  if (kms === '') {
    if (required) throw new FieldError('kmsKeyArn', 'Enter the ARN of the KMS key');
    return null;
  }
  const awsArn = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/.test(kms);
  if (!awsArn && (!endpoint || !/^[A-Za-z0-9:/_.-]{1,2048}$/.test(kms))) {
    throw new FieldError('kmsKeyArn', 'Enter the full KMS key ARN, such as arn:aws:kms:us-east-1:123456789012:key/…');
  }
  return kms;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A manual export's range in UTC. Plain dates are whole days, both ends included (as a user reads
 * "Jan 1 – Jan 31"); full ISO times are taken as given, the end exclusive.
 */
export function parseUtcRange(body: Record<string, unknown>): { from: number; to: number } {
  const at = (name: 'from' | 'to') => {
    const v = body[name];
    if (typeof v !== 'string' || v.length > 40) throw new FieldError(name, `Choose the ${name === 'from' ? 'start' : 'end'} date`);
    const day = DAY_RE.test(v);
    const t = Date.parse(day ? `${v}T00:00:00Z` : v);
    if (!Number.isFinite(t) || (!day && !/(Z|[+-]\d{2}:?\d{2})$/.test(v))) {
      throw new FieldError(name, `${name === 'from' ? 'Start' : 'End'} must be a date (YYYY-MM-DD) or a UTC time`);
    }
    return day && name === 'to' ? t + 86_400_000 : t;
  };
  const from = at('from');
  const to = at('to');
  if (to <= from) throw new FieldError('to', 'The end must not be before the start');
  return { from, to };
}
