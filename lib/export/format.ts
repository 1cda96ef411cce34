// Row to export JSON: the one mapping from stored events and merges to the spec's objects.
// Every schema key is present (null where unknown), in the spec's order. Dict columns hold JSON text
// written by ingestion and are spliced in as they are, which keeps export fast.
import type { events, merges } from '../db/schema';
import { formatTimestamp } from './time';

export type EventRow = typeof events.$inferSelect;
export type MergeRow = typeof merges.$inferSelect;

/** The spec's keys, in order. */
export const EVENT_KEYS = [
  'server_received_time', 'app', 'device_carrier', '$schema', 'city', 'user_id', 'uuid', 'event_time', 'platform',
  'os_version', 'amplitude_id', 'processed_time', 'user_creation_time', 'version_name', 'ip_address', 'paying', 'dma',
  'group_properties', 'user_properties', 'client_upload_time', '$insert_id', 'event_type', 'library',
  'amplitude_attribution_ids', 'device_type', 'device_manufacturer', 'start_version', 'location_lng',
  'server_upload_time', 'event_id', 'location_lat', 'os_name', 'amplitude_event_type', 'device_brand', 'groups',
  'event_properties', 'data', 'device_id', 'language', 'device_model', 'country', 'region', 'is_attribution_event',
  'adid', 'session_id', 'device_family', 'sample_rate', 'idfa', 'client_event_time',
] as const;

export const MERGE_KEYS = ['scope', 'merge_time', 'merge_server_time', 'amplitude_id', 'merged_amplitude_id'] as const;

// the version of this file format (Amplitude's files carry 12)
export const SCHEMA_VERSION = 12;

const str = (v: string | null | undefined) => (v === null || v === undefined ? 'null' : JSON.stringify(v));
const num = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? 'null' : String(v));
const ts = (v: number | null | undefined) => (v === null || v === undefined ? 'null' : `"${formatTimestamp(v)}"`);
const bool = (v: boolean | null | undefined) => (v === null || v === undefined ? 'null' : v ? 'true' : 'false');
const dict = (v: string | null | undefined) => (v ? v : '{}');

/** One event as its export JSON text (no trailing newline). */
export function eventToJson(r: EventRow): string {
  return (
    `{"server_received_time":${ts(r.serverReceivedTime)}` +
    `,"app":${r.projectId}` +
    `,"device_carrier":${str(r.deviceCarrier)}` +
    `,"$schema":${SCHEMA_VERSION}` +
    `,"city":${str(r.city)}` +
    `,"user_id":${str(r.userId)}` +
    `,"uuid":${str(r.uuid)}` +
    `,"event_time":${ts(r.eventTime)}` +
    `,"platform":${str(r.platform)}` +
    `,"os_version":${str(r.osVersion)}` +
    `,"amplitude_id":${num(r.amplitudeId)}` +
    `,"processed_time":${ts(r.processedTime)}` +
    `,"user_creation_time":${ts(r.userCreationTime)}` +
    `,"version_name":${str(r.appVersion)}` +
    `,"ip_address":${str(r.ipAddress)}` +
    `,"paying":${bool(r.paying)}` +
    `,"dma":${str(r.dma)}` +
    `,"group_properties":${dict(r.groupProperties)}` +
    `,"user_properties":${dict(r.userProperties)}` +
    `,"client_upload_time":${ts(r.clientUploadTime)}` +
    `,"$insert_id":${str(r.insertId)}` +
    `,"event_type":${str(r.eventType)}` +
    `,"library":${str(r.library)}` +
    `,"amplitude_attribution_ids":${str(r.amplitudeAttributionIds)}` +
    `,"device_type":${str(r.deviceType)}` +
    `,"device_manufacturer":${str(r.deviceManufacturer)}` +
    `,"start_version":${str(r.startVersion)}` +
    `,"location_lng":${num(r.locationLng)}` +
    `,"server_upload_time":${ts(r.serverUploadTime)}` +
    `,"event_id":${num(r.eventId)}` +
    `,"location_lat":${num(r.locationLat)}` +
    `,"os_name":${str(r.osName)}` +
    `,"amplitude_event_type":${str(r.amplitudeEventType)}` +
    `,"device_brand":${str(r.deviceBrand)}` +
    `,"groups":${dict(r.groups)}` +
    `,"event_properties":${dict(r.eventProperties)}` +
    `,"data":${dict(r.data)}` +
    `,"device_id":${str(r.deviceId)}` +
    `,"language":${str(r.language)}` +
    `,"device_model":${str(r.deviceModel)}` +
    `,"country":${str(r.country)}` +
    `,"region":${str(r.region)}` +
    `,"is_attribution_event":${bool(r.isAttributionEvent)}` +
    `,"adid":${str(r.adid)}` +
    `,"session_id":${num(r.sessionId)}` +
    `,"device_family":${str(r.deviceFamily)}` +
    `,"sample_rate":null` +
    `,"idfa":${str(r.idfa)}` +
    `,"client_event_time":${ts(r.clientEventTime)}}`
  );
}

/** One merge as its export JSON text. Times are epoch milliseconds (long), as the spec types them. */
export function mergeToJson(m: MergeRow): string {
  return `{"scope":${m.scope},"merge_time":${m.mergeTime},"merge_server_time":${m.mergeServerTime},"amplitude_id":${m.amplitudeId},"merged_amplitude_id":${m.mergedAmplitudeId}}`;
}
