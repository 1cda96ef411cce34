// The whole product's schema. Times are integer milliseconds since the epoch (UTC) unless named otherwise.
// Imports only drizzle's sqlite-core so the export engine can share it on any runtime.
import { sql } from 'drizzle-orm';
import {
  customType,
  foreignKey,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  sqliteView,
  text,
  uniqueIndex,
  type AnySQLiteColumn,
} from 'drizzle-orm/sqlite-core';
import { lz4Decompress } from '../util/lz4';
import { bytesOf } from './bulk';
import { JOB_STATES } from './job-states';
import type { SealKind } from './seal-kinds';

/** A required reference to the row that owns this one: deleted with it. */
const ownedBy = (name: string, owner: () => AnySQLiteColumn) => integer(name).notNull().references(owner, { onDelete: 'cascade' });

const now = sql`(unixepoch('subsec') * 1000)`;

/** A BLOB as bytes on every runtime (drizzle's blob() maps through Node's Buffer). */
const bytes = customType<{ data: Uint8Array; driverData: ArrayBuffer | Uint8Array }>({ dataType: () => 'blob', fromDriver: bytesOf });
/** A value that is either text or bytes (SQLite keeps whichever it is given). */
const textOrBytes = customType<{ data: string | Uint8Array; driverData: string | ArrayBuffer | Uint8Array }>({
  dataType: () => 'blob',
  fromDriver: (v) => (typeof v === 'string' ? v : bytesOf(v)),
});

export const organizations = sqliteTable('organizations', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  createdAt: integer('created_at').notNull().default(now),
});

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orgId: ownedBy('org_id', () => organizations.id),
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    // null until an invited user sets a password
    passwordHash: text('password_hash'),
    role: text('role', { enum: ['admin', 'member'] })
      .notNull()
      .default('member'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('users_email').on(t.email)],
);

export const sessions = sqliteTable(
  'sessions',
  {
    // SHA-256 of the cookie token: a leaked database does not leak live sessions
    idHash: text('id_hash').primaryKey(),
    userId: ownedBy('user_id', () => users.id),
    expiresAt: integer('expires_at').notNull(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

export const invitations = sqliteTable('invitations', {
  tokenHash: text('token_hash').primaryKey(),
  orgId: ownedBy('org_id', () => organizations.id),
  email: text('email').notNull(),
  role: text('role', { enum: ['admin', 'member'] }).notNull(),
  invitedBy: integer('invited_by').references(() => users.id, { onDelete: 'set null' }),
  expiresAt: integer('expires_at').notNull(),
  acceptedAt: integer('accepted_at'),
});

export const projects = sqliteTable(
  'projects',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orgId: ownedBy('org_id', () => organizations.id),
    name: text('name').notNull(),
    isPortfolio: integer('is_portfolio', { mode: 'boolean' }).notNull().default(false),
    // portfolio projects have none: they cannot receive events
    apiKey: text('api_key'),
    // the Export API's secret key (lib/projects/secret-keys.ts): its SHA-256, never the key; null: none yet
    secretKeyHash: text('secret_key_hash'),
    secretKeyCreatedAt: integer('secret_key_created_at'),
    // JSON list of origins browsers may send events from; null: any (see lib/ingest/cors.ts)
    allowedOrigins: text('allowed_origins'),
    // every closed hour before it is sealed (lib/export/seal/seal.ts) or had no data; null: none looked at yet
    sealedUntil: integer('sealed_until'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('projects_api_key').on(t.apiKey)],
);

// One row per amplitude_id. user_id is set once the id belongs to a known user.
export const amplitudeUsers = sqliteTable(
  'amplitude_users',
  {
    amplitudeId: integer('amplitude_id').primaryKey({ autoIncrement: true }),
    projectId: ownedBy('project_id', () => projects.id),
    userId: text('user_id'),
    // event_time of the first event of this user (user_creation_time)
    createdTime: integer('created_time').notNull(),
    // JSON object, the user's properties after every operation applied so far
    userProperties: text('user_properties').notNull().default('{}'),
    // set when this id was merged into another (the user's original id)
    mergedInto: integer('merged_into'),
    // property_sets row holding user_properties as they are now, once an event needed it (null: none yet)
    propsSet: integer('props_set'),
  },
  (t) => [
    uniqueIndex('amplitude_users_user').on(t.projectId, t.userId),
    index('amplitude_users_props_set')
      .on(t.propsSet)
      .where(sql`props_set is not null`),
  ],
);

// device_id -> the amplitude_id currently used on that device (its user, if any, is that id's user_id).
// WITHOUT ROWID (migration 0007): the key is stored once.
export const devices = sqliteTable(
  'devices',
  {
    projectId: ownedBy('project_id', () => projects.id),
    deviceId: text('device_id').notNull(),
    amplitudeId: integer('amplitude_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.deviceId] })],
);

// The newer device rows, in levels of growing size in front of devices (lib/ingest/identity-store.ts,
// lib/ingest/levels.ts): device ids are random, so in one large index each new device dirtied a page
// of its own. A device in two levels is what the newer one says. Same shape as devices (migration 0021).
const deviceLevel = (name: string) =>
  sqliteTable(
    name,
    {
      projectId: ownedBy('project_id', () => projects.id),
      deviceId: text('device_id').notNull(),
      amplitudeId: integer('amplitude_id').notNull(),
    },
    (t) => [primaryKey({ columns: [t.projectId, t.deviceId] })],
  );
export const devicesL0 = deviceLevel('devices_l0');
export const devicesL1 = deviceLevel('devices_l1');
export const devicesL2 = deviceLevel('devices_l2');
// as dedupe_levels, for the devices' levels
export const deviceLevels = sqliteTable('device_levels', {
  level: integer('level').primaryKey(),
  keys: integer('keys').notNull().default(0),
  afterProject: integer('after_project').notNull().default(-1),
  afterKey: text('after_key').notNull().default(''),
});

export const merges = sqliteTable(
  'merges',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: ownedBy('project_id', () => projects.id),
    // scope of a merge is the project (amplitude_ids are per project here; documented in README)
    scope: integer('scope').notNull(),
    mergeTime: integer('merge_time').notNull(),
    mergeServerTime: integer('merge_server_time').notNull(),
    amplitudeId: integer('amplitude_id').notNull(),
    mergedAmplitudeId: integer('merged_amplitude_id').notNull(),
  },
  (t) => [index('merges_project_hour').on(t.projectId, t.mergeServerTime, t.id)],
);

export const groups = sqliteTable(
  'groups',
  {
    projectId: ownedBy('project_id', () => projects.id),
    groupType: text('group_type').notNull(),
    groupName: text('group_name').notNull(),
    properties: text('properties').notNull().default('{}'),
    // property_sets row holding properties as they are now, once an event needed it (null: none yet)
    propsSet: integer('props_set'),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.groupType, t.groupName] }),
    index('groups_props_set')
      .on(t.propsSet)
      .where(sql`props_set is not null`),
  ],
);

// Large user and group properties stored once and named by the event rows that carry them
// (lib/ingest/property-sets.ts): an event of a user with 60 KB of properties stores a number, not a
// copy. Forgotten once no raw row or user or group needs them (lib/jobs/retention.ts).
export const propertySets = sqliteTable(
  'property_sets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: ownedBy('project_id', () => projects.id),
    json: text('json').notNull(),
    // server_upload_time of the newest event row that names it
    lastUsed: integer('last_used').notNull(),
  },
  (t) => [index('property_sets_last_used').on(t.projectId, t.lastUsed)],
);

// $insert_id dedupe window (7 days): one row per (project, 16 bytes of SHA-256 of the dedupe key and the
// insert_id) seen (lib/ingest/dedupe.ts). WITHOUT ROWID (migration 0007): the key is stored once.
export const insertIds = sqliteTable(
  'dedupe_ids',
  {
    projectId: integer('project_id').notNull(),
    key: bytes('key').notNull(),
    seenAt: integer('seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.key] })],
);

// The newer dedupe keys, in levels of growing size in front of dedupe_ids (lib/ingest/dedupe.ts): new keys
// go to the small dedupe_l0, whose pages stay few; a level past its size gives its lowest keys to the
// next in sorted chunks. Same shape as dedupe_ids, WITHOUT ROWID (migration 0020).
const dedupeLevel = (name: string) =>
  sqliteTable(
    name,
    {
      projectId: integer('project_id').notNull(),
      key: bytes('key').notNull(),
      seenAt: integer('seen_at').notNull(),
    },
    (t) => [primaryKey({ columns: [t.projectId, t.key] })],
  );
export const dedupeL0 = dedupeLevel('dedupe_l0');
export const dedupeL1 = dedupeLevel('dedupe_l1');
export const dedupeL2 = dedupeLevel('dedupe_l2');
// how many keys each level holds (updated with its writes, recounted by the hourly prune), and where its
// next chunk starts: after the last key it moved (round the key space, so each chunk is a narrow range);
// level 2's filter_token changes with every move into or between the large levels and every prune of
// them, so that a process's filter of those keys knows when it is no longer exact (lib/ingest/level-filter.ts)
export const dedupeLevels = sqliteTable('dedupe_levels', {
  level: integer('level').primaryKey(),
  keys: integer('keys').notNull().default(0),
  afterProject: integer('after_project').notNull().default(-1),
  afterKey: bytes('after_key')
    .notNull()
    .default(sql`x''`),
  filterToken: integer('filter_token').notNull().default(0),
});

// A process's filter of the large dedupe levels as it was when the process stopped cleanly
// (lib/ingest/level-filter.ts): the next process on the file takes it instead of building it again, while
// the book's filter_token is still `token`. `bits` are the filter's segments end to end.
export const levelFilters = sqliteTable('level_filters', {
  book: text('book').primaryKey(),
  token: integer('token').notNull(),
  keys: integer('keys').notNull(),
  bits: bytes('bits').notNull(),
});

// One row per stored event, compact (lib/ingest/event-rows.ts writes it, lib/export/files/render.ts reads it):
// the fields that need only the event itself in one `rec` value (lib/db/event-layout.ts), times as
// differences from server_received_time, the uuid as 16 bytes, `data` as flags, and event_properties
// LZ4-compressed when that pays (a BLOB then).
export const eventRows = sqliteTable(
  'event_rows',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: ownedBy('project_id', () => projects.id),
    serverUploadTime: integer('server_upload_time').notNull(),
    amplitudeId: integer('amplitude_id').notNull(),
    userId: text('user_id'),
    deviceId: text('device_id'),
    // server_upload_time - server_received_time
    receivedAgo: integer('received_ago').notNull().default(0),
    // event_time - user_creation_time
    userCreated: integer('user_created'),
    // lib/db/event-layout.ts FLAGS: first_event, user_properties_updated, the door, paying, is_attribution_event
    flags: integer('flags').notNull().default(0),
    mergedAmplitudeId: integer('merged_amplitude_id'),
    userProperties: text('user_properties').notNull(),
    // null: {}
    groupProperties: text('group_properties'),
    // JSON text, or a BLOB: its UTF-8 LZ4-compressed (lib/util/lz4.ts)
    eventProperties: textOrBytes('event_properties').notNull(),
    uuid: bytes('uuid').notNull(),
    // lib/db/event-layout.ts REC_FIELDS: JSON literals joined by \x01
    rec: text('rec').notNull(),
    // large user properties: the property_sets row that holds them (user_properties is then '')
    userPropsSet: integer('user_props_set'),
    // large group properties: [[group type, group name, property_sets id], …] (group_properties is then null)
    groupSets: text('group_sets'),
  },
  (t) => [index('event_rows_project_hour').on(t.projectId, t.serverUploadTime, t.id)],
);

/** event_properties as text, whether stored plain or compressed. */
const propertiesText = customType<{ data: string; driverData: string | ArrayBuffer | Uint8Array }>({
  dataType: () => 'blob',
  fromDriver: (v) => (typeof v === 'string' ? v : new TextDecoder().decode(lz4Decompress(bytesOf(v)))),
});

// Every event as the export schema names its fields: a view over event_rows (migration 0007 defines
// it) for reading events one by one (tests, diagnostics). Exports read event_rows directly.
export const events = sqliteView('events', {
  id: integer('id').notNull(),
  projectId: integer('project_id').notNull(),
  eventId: integer('event_id').notNull(),
  uuid: text('uuid').notNull(),
  eventType: text('event_type').notNull(),
  amplitudeEventType: text('amplitude_event_type'),
  amplitudeId: integer('amplitude_id').notNull(),
  userId: text('user_id'),
  deviceId: text('device_id'),
  sessionId: integer('session_id').notNull(),
  insertId: text('insert_id'),
  serverReceivedTime: integer('server_received_time').notNull(),
  serverUploadTime: integer('server_upload_time').notNull(),
  processedTime: integer('processed_time').notNull(),
  clientUploadTime: integer('client_upload_time'),
  clientEventTime: integer('client_event_time').notNull(),
  eventTime: integer('event_time').notNull(),
  userCreationTime: integer('user_creation_time'),
  appVersion: text('version_name'),
  startVersion: text('start_version'),
  platform: text('platform'),
  osName: text('os_name'),
  osVersion: text('os_version'),
  deviceBrand: text('device_brand'),
  deviceManufacturer: text('device_manufacturer'),
  deviceModel: text('device_model'),
  deviceFamily: text('device_family'),
  deviceType: text('device_type'),
  deviceCarrier: text('device_carrier'),
  country: text('country'),
  region: text('region'),
  city: text('city'),
  dma: text('dma'),
  language: text('language'),
  locationLat: real('location_lat'),
  locationLng: real('location_lng'),
  ipAddress: text('ip_address'),
  library: text('library'),
  idfa: text('idfa'),
  adid: text('adid'),
  paying: integer('paying', { mode: 'boolean' }),
  isAttributionEvent: integer('is_attribution_event', { mode: 'boolean' }),
  amplitudeAttributionIds: text('amplitude_attribution_ids'),
  eventProperties: propertiesText('event_properties').notNull(),
  userProperties: text('user_properties').notNull(),
  groups: text('groups').notNull(),
  groupProperties: text('group_properties').notNull(),
  data: text('data').notNull(),
}).existing();

// A project's closed hour, sealed once (lib/export/seal/seal.ts): its canonical files, kept as history and
// copied by every export of the hour. One row per (project, kind, hour) that had data, or that an
// export reached before the sealer's cursor (projects.sealed_until).
export const seals = sqliteTable(
  'seals',
  {
    projectId: ownedBy('project_id', () => projects.id),
    // the events in one line format and event filter, or the merged IDs (lib/db/seal-kinds.ts)
    kind: text('kind').$type<SealKind>().notNull(),
    hour: integer('hour').notNull(),
    // the event filter its rows pass (canonical JSON, lib/export/files/event-filter.ts); null: all
    eventFilter: text('event_filter'),
    // pending: has data, to be built (an export of the hour builds it as it uploads); building: parts
    // are being made (by the lease holder); sealed: complete; stale: rows arrived after it was sealed,
    // to be built again before its next export
    state: text('state', { enum: ['pending', 'building', 'sealed', 'stale'] }).notNull(),
    // a rebuild starts a new generation: parts of another are not this seal's
    generation: integer('generation').notNull().default(1),
    // the part size (uncompressed bytes) it was cut at: another setting builds the hour again
    partBytes: integer('part_bytes').notNull(),
    parts: integer('parts').notNull().default(0),
    lines: integer('lines').notNull().default(0),
    rawBytes: integer('raw_bytes').notNull().default(0),
    bytes: integer('bytes').notNull().default(0),
    // where building resumes: the last row of the last part
    cursorTime: integer('cursor_time'),
    cursorId: integer('cursor_id'),
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until'),
    // the hour's raw rows were deleted (SPILLWAY_RAW_RETENTION_DAYS): it cannot be built again
    rowsDeleted: integer('rows_deleted', { mode: 'boolean' }).notNull().default(false),
    sealedAt: integer('sealed_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.kind, t.hour] })],
);

// One canonical file of a seal: its gzip bytes' size, lines and SHA-256, and where the bytes are kept
// ('db': sealed_chunks; otherwise the key in the archive store, SPILLWAY_ARCHIVE_URL).
export const sealedParts = sqliteTable(
  'sealed_parts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id').notNull(),
    // the events in one line format and event filter, or the merged IDs (lib/db/seal-kinds.ts)
    kind: text('kind').$type<SealKind>().notNull(),
    hour: integer('hour').notNull(),
    generation: integer('generation').notNull(),
    part: integer('part').notNull(),
    lines: integer('lines').notNull(),
    rawBytes: integer('raw_bytes').notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    location: text('location').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('sealed_parts_part').on(t.projectId, t.kind, t.hour, t.generation, t.part),
    foreignKey({ columns: [t.projectId, t.kind, t.hour], foreignColumns: [seals.projectId, seals.kind, seals.hour] }).onDelete('cascade'),
  ],
);

// The bytes of a part kept in the database, in slices of at most 1 MB (one value stays small for
// remote libSQL, and a part is read back a slice at a time).
export const sealedChunks = sqliteTable(
  'sealed_chunks',
  {
    partId: ownedBy('part_id', () => sealedParts.id),
    seq: integer('seq').notNull(),
    data: bytes('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.partId, t.seq] })],
);

export const destinations = sqliteTable(
  'destinations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orgId: ownedBy('org_id', () => organizations.id),
    projectId: ownedBy('project_id', () => projects.id),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
    name: text('name').notNull().default('Amazon S3'),
    exportEvents: integer('export_events', { mode: 'boolean' }).notNull().default(true),
    exportMerged: integer('export_merged', { mode: 'boolean' }).notNull().default(false),
    // a manifest per exported hour under {prefix}_spillway/manifests/ (lib/export/files/manifest.ts)
    writeManifest: integer('write_manifest', { mode: 'boolean' }).notNull().default(true),
    // how event lines are laid out (lib/export/files/format.ts LINE_FORMATS); connections made before there
    // was a choice keep 'documented' (migration 0014)
    // how event files are encoded: gzip NDJSON, or Parquet (lib/db/seal-kinds.ts FILE_FORMATS)
    fileFormat: text('file_format', { enum: ['json', 'parquet'] })
      .notNull()
      .default('json'),
    // the event types exported (canonical JSON, lib/export/files/event-filter.ts); null: all
    eventFilter: text('event_filter'),
    // the seal of its events (line format and filter): lib/db/seal-kinds.ts eventsSealKind, kept with them
    eventsSealKind: text('events_seal_kind').$type<SealKind>().notNull().default('events-current'),
    // folders between the prefix and the file names (lib/export/files/naming.ts); null: flat, as Amplitude
    keyFolders: text('key_folders'),
    lineFormat: text('line_format', { enum: ['current', 'documented'] })
      .notNull()
      .default('current'),
    // when the daily integrity check last compared the bucket with what was exported (lib/jobs/integrity.ts)
    integrityCheckedAt: integer('integrity_checked_at'),
    awsAccountId: text('aws_account_id'),
    bucket: text('bucket').notNull(),
    region: text('region').notNull().default('us-east-1'),
    prefix: text('prefix').notNull().default(''),
    // S3-compatible stores: endpoint URL and path-style addressing; '' for AWS
    endpoint: text('endpoint').notNull().default(''),
    forcePathStyle: integer('force_path_style', { mode: 'boolean' }).notNull().default(false),
    kmsKeyArn: text('kms_key_arn'),
    // role assumed with STS for this destination; null = the server's own credentials
    roleArn: text('role_arn'),
    // per-destination static keys, encrypted with SPILLWAY_SECRET_KEY (AES-GCM); null = from env
    accessKeyId: text('access_key_id'),
    secretAccessKeyEnc: text('secret_access_key_enc'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    disabledAt: integer('disabled_at'),
    // first hour (ms) hourly planning covers; planning then advances plannedUntil
    startHour: integer('start_hour').notNull(),
    plannedUntil: integer('planned_until').notNull(),
    verifiedAt: integer('verified_at'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [index('destinations_project').on(t.projectId), index('destinations_bucket').on(t.endpoint, t.bucket)],
);

export { JOB_STATES, type JobState } from './job-states';
export type ExportKind = 'events' | 'merged';

export const exportJobs = sqliteTable(
  'export_jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    destinationId: ownedBy('destination_id', () => destinations.id),
    kind: text('kind', { enum: ['events', 'merged'] }).notNull(),
    hour: integer('hour').notNull(),
    state: text('state', { enum: JOB_STATES }).notNull().default('pending'),
    origin: text('origin', { enum: ['hourly', 'backfill'] })
      .notNull()
      .default('hourly'),
    backfillId: integer('backfill_id'),
    // the generation of the hour's seal its uploaded parts came from (another means start again from part 1)
    sealGeneration: integer('seal_generation'),
    // the earliest time a worker may take it (retry backoff, closed-hour grace)
    dueAt: integer('due_at').notNull(),
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until'),
    tries: integer('tries').notNull().default(0),
    // resume point: parts of the hour's seal (seal_generation) already uploaded
    partsDone: integer('parts_done').notNull().default(0),
    events: integer('events').notNull().default(0),
    bytes: integer('bytes').notNull().default(0),
    rawBytes: integer('raw_bytes').notNull().default(0),
    startedAt: integer('started_at'),
    // the last run that succeeded: when, and what it left in the bucket. A later run (a re-export)
    // counts afresh in events / bytes / parts_done; a failure never touches these
    finishedAt: integer('finished_at'),
    goodEvents: integer('good_events').notNull().default(0),
    goodBytes: integer('good_bytes').notNull().default(0),
    goodParts: integer('good_parts').notNull().default(0),
    durationMs: integer('duration_ms'),
    errorKind: text('error_kind', { enum: ['access', 'transient', 'storage', 'internal'] }),
    errorPermission: text('error_permission'),
    errorMessage: text('error_message'),
    // the daily integrity check found the hour's files wrong in the bucket and queued it again
    repairedAt: integer('repaired_at'),
    integrityIssue: text('integrity_issue'),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [uniqueIndex('export_jobs_unique').on(t.destinationId, t.kind, t.hour), index('export_jobs_due').on(t.state, t.dueAt)],
);

export const exportedFiles = sqliteTable(
  'exported_files',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    jobId: ownedBy('job_id', () => exportJobs.id),
    part: integer('part').notNull(),
    key: text('key').notNull(),
    events: integer('events').notNull(),
    bytes: integer('bytes').notNull(),
    rawBytes: integer('raw_bytes').notNull(),
    etag: text('etag'),
    // of the gzip bytes, hex: listed in the hour's manifest
    sha256: text('sha256'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('exported_files_part').on(t.jobId, t.part)],
);

export const backfills = sqliteTable('backfills', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  destinationId: ownedBy('destination_id', () => destinations.id),
  requestedBy: integer('requested_by').references(() => users.id, { onDelete: 'set null' }),
  fromHour: integer('from_hour').notNull(),
  // exclusive
  toHour: integer('to_hour').notNull(),
  // planning cursor: hours before it have jobs
  nextHour: integer('next_hour').notNull(),
  // hours before the project's first event or merge: nothing to export, so no job (lib/jobs/plan.ts)
  skippedHours: integer('skipped_hours').notNull().default(0),
  state: text('state', { enum: ['running', 'done', 'cancelled'] })
    .notNull()
    .default('running'),
  createdAt: integer('created_at').notNull().default(now),
  finishedAt: integer('finished_at'),
});

// Alarm per destination: set when a job fails, cleared by the next success. One email per alarm.
export const alarms = sqliteTable('alarms', {
  destinationId: integer('destination_id')
    .primaryKey()
    .references(() => destinations.id, { onDelete: 'cascade' }),
  jobId: integer('job_id'),
  permission: text('permission'),
  message: text('message').notNull(),
  raisedAt: integer('raised_at').notNull(),
});

export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orgId: ownedBy('org_id', () => organizations.id),
    destinationId: integer('destination_id'),
    jobId: integer('job_id'),
    recipients: text('recipients').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    // an instance sending this email holds it until then (lib/notify/mailer.ts): each is sent once
    claimedUntil: integer('claimed_until'),
  },
  (t) => [index('outbox_unsent').on(t.sentAt)],
);

// An organisation's webhooks: where failed, recovered and overdue exports are also told (lib/notify/webhooks.ts)
export const webhooks = sqliteTable('webhooks', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  orgId: ownedBy('org_id', () => organizations.id),
  url: text('url').notNull(),
  // 'json': Spillway's event object; 'slack': {"text": …} for Slack-compatible incoming webhooks
  format: text('format', { enum: ['json', 'slack'] })
    .notNull()
    .default('json'),
  // signs each delivery (HMAC-SHA256): the receiver holds it too
  secret: text('secret').notNull(),
  createdAt: integer('created_at').notNull(),
});

// One message to one webhook: queued in the transaction that raised or cleared the alarm, sent once
// across instances (claimed_until, as the outbox), retried with backoff
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    webhookId: ownedBy('webhook_id', () => webhooks.id),
    event: text('event', { enum: ['export_failed', 'export_recovered', 'hour_overdue'] }).notNull(),
    // what the event is about, once per webhook (an alarm, a recovery, an overdue hour)
    dedupeKey: text('dedupe_key').notNull(),
    payload: text('payload').notNull(),
    createdAt: integer('created_at').notNull(),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    sentAt: integer('sent_at'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    claimedUntil: integer('claimed_until'),
  },
  (t) => [uniqueIndex('webhook_deliveries_once').on(t.webhookId, t.dedupeKey), index('webhook_deliveries_due').on(t.sentAt, t.nextAttemptAt)],
);

// Each app instance's last sign of life: its database write and its scheduler's last tick
export const instances = sqliteTable('instances', {
  id: text('id').primaryKey(),
  startedAt: integer('started_at').notNull(),
  seenAt: integer('seen_at').notNull(),
  lastTickAt: integer('last_tick_at'),
  /** the health check's write of ingestion's size (lib/server/storage-health.ts), null between checks */
  probe: bytes('probe'),
});

// KMS migration: the old connection, the new one, and the bucket policy the user backed up for rollback.
export const kmsMigrations = sqliteTable('kms_migrations', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  orgId: ownedBy('org_id', () => organizations.id),
  oldDestinationId: integer('old_destination_id').references(() => destinations.id, { onDelete: 'set null' }),
  newDestinationId: integer('new_destination_id').references(() => destinations.id, { onDelete: 'set null' }),
  // what the old connection was, kept when it is deleted (step 11) for the record
  oldSummary: text('old_summary').notNull(),
  policyBackup: text('policy_backup'),
  // manual steps the user ticked (JSON array of step numbers)
  ticked: text('ticked').notNull().default('[]'),
  state: text('state', { enum: ['open', 'completed', 'rolled_back'] })
    .notNull()
    .default('open'),
  // the hours the new connection wrote with the KMS key, [from, to): on rollback the old connection
  // exports them again (reexport_backfill_id), so that no file needs the key any more
  reencryptedFrom: integer('reencrypted_from'),
  reencryptedTo: integer('reencrypted_to'),
  reexportBackfillId: integer('reexport_backfill_id'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});
