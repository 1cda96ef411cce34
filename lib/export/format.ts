// Row to export JSON: the one mapping from stored events and merges to the spec's objects.
// Every schema key is present (null where unknown), in the spec's order.
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { events, type merges } from '../db/schema';

export type MergeRow = typeof merges.$inferSelect;

/** The spec's keys, in order. */
export const EVENT_KEYS = [
  'server_received_time',
  'app',
  'device_carrier',
  '$schema',
  'city',
  'user_id',
  'uuid',
  'event_time',
  'platform',
  'os_version',
  'amplitude_id',
  'processed_time',
  'user_creation_time',
  'version_name',
  'ip_address',
  'paying',
  'dma',
  'group_properties',
  'user_properties',
  'client_upload_time',
  '$insert_id',
  'event_type',
  'library',
  'amplitude_attribution_ids',
  'device_type',
  'device_manufacturer',
  'start_version',
  'location_lng',
  'server_upload_time',
  'event_id',
  'location_lat',
  'os_name',
  'amplitude_event_type',
  'device_brand',
  'groups',
  'event_properties',
  'data',
  'device_id',
  'language',
  'device_model',
  'country',
  'region',
  'is_attribution_event',
  'adid',
  'session_id',
  'device_family',
  'sample_rate',
  'idfa',
  'client_event_time',
] as const;

export const MERGE_KEYS = ['scope', 'merge_time', 'merge_server_time', 'amplitude_id', 'merged_amplitude_id'] as const;

// the version of this file format (Amplitude's files carry 12)
export const SCHEMA_VERSION = 12;

/** One merge as its export JSON text. Times are epoch milliseconds (long), as the spec types them. */
export function mergeToJson(m: MergeRow): string {
  return `{"scope":${m.scope},"merge_time":${m.mergeTime},"merge_server_time":${m.mergeServerTime},"amplitude_id":${m.amplitudeId},"merged_amplitude_id":${m.mergedAmplitudeId}}`;
}

// An event's export line, built inside SQLite (json_object, in C): the driver hands back one text
// column per row instead of 49 values boxed into objects, which made export 3-4x slower. Timestamps are
// UTC `yyyy-MM-dd HH:mm:ss.SSSSSS` (milliseconds, then 000, as Amplitude's files carry microseconds),
// by integer arithmetic; dict columns hold JSON text from ingestion and are embedded
// with json(); booleans are stored 0/1 and written true/false.
const c = events;
const tsSql = (col: SQLWrapper) =>
  sql`case when ${col} is null then null else strftime('%Y-%m-%d %H:%M:%S', ${col} / 1000, 'unixepoch') || printf('.%03d000', ${col} % 1000) end`;
const boolSql = (col: SQLWrapper) => sql`case ${col} when 1 then json('true') when 0 then json('false') end`;
const dictSql = (col: SQLWrapper) => sql`json(coalesce(nullif(${col}, ''), '{}'))`;

export const eventJsonSql: SQL<string> = sql<string>`json_object(
  'server_received_time', ${tsSql(c.serverReceivedTime)}, 'app', ${c.projectId}, 'device_carrier', ${c.deviceCarrier},
  '$schema', ${sql.raw(String(SCHEMA_VERSION))}, 'city', ${c.city}, 'user_id', ${c.userId}, 'uuid', ${c.uuid},
  'event_time', ${tsSql(c.eventTime)}, 'platform', ${c.platform}, 'os_version', ${c.osVersion}, 'amplitude_id', ${c.amplitudeId},
  'processed_time', ${tsSql(c.processedTime)}, 'user_creation_time', ${tsSql(c.userCreationTime)}, 'version_name', ${c.appVersion},
  'ip_address', ${c.ipAddress}, 'paying', ${boolSql(c.paying)}, 'dma', ${c.dma}, 'group_properties', ${dictSql(c.groupProperties)},
  'user_properties', ${dictSql(c.userProperties)}, 'client_upload_time', ${tsSql(c.clientUploadTime)}, '$insert_id', ${c.insertId},
  'event_type', ${c.eventType}, 'library', ${c.library}, 'amplitude_attribution_ids', ${c.amplitudeAttributionIds},
  'device_type', ${c.deviceType}, 'device_manufacturer', ${c.deviceManufacturer}, 'start_version', ${c.startVersion},
  'location_lng', ${c.locationLng}, 'server_upload_time', ${tsSql(c.serverUploadTime)}, 'event_id', ${c.eventId},
  'location_lat', ${c.locationLat}, 'os_name', ${c.osName}, 'amplitude_event_type', ${c.amplitudeEventType},
  'device_brand', ${c.deviceBrand}, 'groups', ${dictSql(c.groups)}, 'event_properties', ${dictSql(c.eventProperties)},
  'data', ${dictSql(c.data)}, 'device_id', ${c.deviceId}, 'language', ${c.language}, 'device_model', ${c.deviceModel},
  'country', ${c.country}, 'region', ${c.region}, 'is_attribution_event', ${boolSql(c.isAttributionEvent)}, 'adid', ${c.adid},
  'session_id', ${c.sessionId}, 'device_family', ${c.deviceFamily}, 'sample_rate', null, 'idfa', ${c.idfa},
  'client_event_time', ${tsSql(c.clientEventTime)})`;
