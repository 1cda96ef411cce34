// The export line as it was built before the compact rows (lib/export/files/format.ts until migration 0007):
// SQLite's json_object over the 49 columns that the `events` view still presents. The oracle that
// lib/export/files/render.ts and the migration are compared with, byte for byte.
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { events } from '../../lib/db/schema';
import { SCHEMA_VERSION } from '../../lib/export/files/format';

const c = events;
const tsSql = (col: SQLWrapper) =>
  sql`case when ${col} is null then null else strftime('%Y-%m-%d %H:%M:%S', ${col} / 1000, 'unixepoch') || printf('.%03d000', ${col} % 1000) end`;
const boolSql = (col: SQLWrapper) => sql`case ${col} when 1 then json('true') when 0 then json('false') end`;
const dictSql = (col: SQLWrapper) => sql`json(coalesce(nullif(${col}, ''), '{}'))`;
export const oracleSql: SQL<string> = sql<string>`json_object(
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
