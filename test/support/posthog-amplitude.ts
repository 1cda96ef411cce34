// The field types PostHog's Amplitude importer reads export lines with: the serde struct `AmplitudeEvent`
// and `AmplitudeData` of PostHog/posthog `rust/batch-import-worker/src/parse/content/amplitude.rs`
// (read 2026-12). serde fails a line, and the chunk holding it, on a value of the wrong type: an
// `Option<String>` takes a string or null, an `i64` an integer (absent: its default), a
// `HashMap<…>` an object (absent: default; null fails). Unknown keys are ignored. Returns the
// first mismatch, or null when the line parses.
type Check = (v: unknown) => boolean;

const str: Check = (v) => v === null || typeof v === 'string';
const i64: Check = (v) => Number.isInteger(v);
const f64: Check = (v) => v === null || typeof v === 'number';
const flexBool: Check = (v) => v === null || typeof v === 'boolean' || v === 'true' || v === 'false';
const any: Check = () => true;
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const map: Check = isMap;

// Option<T>: may be absent; `#[serde(default)]` fields too (but not null, unless Option)
const FIELDS: Record<string, { check: Check; required?: boolean }> = {
  $insert_id: { check: str },
  $insert_key: { check: str },
  $schema: { check: str },
  adid: { check: str },
  amplitude_attribution_ids: { check: any },
  amplitude_event_type: { check: str },
  amplitude_id: { check: i64 },
  app: { check: i64 },
  city: { check: str },
  client_event_time: { check: str },
  client_upload_time: { check: str },
  country: { check: str },
  data: {
    check: (v) =>
      isMap(v) &&
      (v.path === undefined || str(v.path)) &&
      (v.user_properties_updated === undefined || flexBool(v.user_properties_updated)) &&
      (v.group_first_event === undefined || map(v.group_first_event)) &&
      (v.group_ids === undefined || map(v.group_ids)),
  },
  data_type: { check: str },
  device_brand: { check: str },
  device_carrier: { check: str },
  device_family: { check: str },
  device_id: { check: str },
  device_manufacturer: { check: str },
  device_model: { check: str },
  device_type: { check: str },
  dma: { check: str },
  event_id: { check: i64 },
  event_properties: { check: map },
  event_time: { check: str },
  event_type: { check: str },
  global_user_properties: { check: any },
  // HashMap<String, HashMap<String, HashMap<String, Value>>>: type → group name → properties
  group_properties: { check: (v) => isMap(v) && Object.values(v).every((byName) => isMap(byName) && Object.values(byName).every(isMap)) },
  // HashMap<String, Vec<String>>
  groups: { check: (v) => isMap(v) && Object.values(v).every((names) => Array.isArray(names) && names.every((n) => typeof n === 'string')) },
  idfa: { check: str },
  ip_address: { check: str },
  is_attribution_event: { check: flexBool },
  language: { check: str },
  library: { check: str },
  location_lat: { check: f64 },
  location_lng: { check: f64 },
  os_name: { check: str },
  os_version: { check: str },
  partner_id: { check: str },
  paying: { check: flexBool },
  plan: { check: map },
  platform: { check: str },
  processed_time: { check: str },
  region: { check: str },
  sample_rate: { check: f64 },
  server_received_time: { check: str },
  server_upload_time: { check: str },
  session_id: { check: i64 },
  source_id: { check: str },
  start_version: { check: str },
  user_creation_time: { check: str },
  user_id: { check: str },
  user_properties: { check: map },
  uuid: { check: str },
  version_name: { check: str },
};

export function posthogMismatch(line: Record<string, unknown>): string | null {
  for (const [key, { check }] of Object.entries(FIELDS)) {
    if (!(key in line)) continue;
    if (!check(line[key])) return `${key}: ${JSON.stringify(line[key])}`;
  }
  return null;
}
