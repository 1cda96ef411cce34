// The export schema: its keys in the spec's order, its version, and the merged-IDs line. Event lines
// are rendered by render.ts.
import type { merges } from '../../db/schema';

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

/**
 * Keys Amplitude's lines carry today beyond the documented 49 (real lines of 2025: HTTP V2 and the
 * browser SDK), always with these values here: Spillway has no Amplitude account, partner or source.
 */
export const CURRENT_ONLY = {
  $insert_key: 'null',
  data_type: '"event"',
  global_user_properties: 'null',
  partner_id: 'null',
  plan: '{}',
  source_id: 'null',
} as const;

/** The current line's 55 keys: alphabetical, as Amplitude writes them. */
export const CURRENT_EVENT_KEYS: readonly string[] = [...EVENT_KEYS, ...Object.keys(CURRENT_ONLY)].sort();

// the line formats and the seal kinds are the database's vocabulary (ingestion marks seals stale too)
export {
  EVENT_SEAL_PATTERN,
  eventsSealKind,
  exportKindOf,
  fileFormatOfSeal,
  FILE_FORMATS,
  type FileFormat,
  isEventsKind,
  lineFormatOfSeal,
  LINE_FORMATS,
  sealKindOf,
  type ExportKind,
  type LineFormat,
  type SealKind,
} from '../../db/seal-kinds';

export const MERGE_KEYS = ['scope', 'merge_time', 'merge_server_time', 'amplitude_id', 'merged_amplitude_id'] as const;

// the version of this file format (Amplitude's files carry 12)
export const SCHEMA_VERSION = 12;

/** One merge as its export JSON text. Times are epoch milliseconds (long), as the spec types them. */
export function mergeToJson(m: MergeRow): string {
  return `{"scope":${m.scope},"merge_time":${m.mergeTime},"merge_server_time":${m.mergeServerTime},"amplitude_id":${m.amplitudeId},"merged_amplitude_id":${m.mergedAmplitudeId}}`;
}
