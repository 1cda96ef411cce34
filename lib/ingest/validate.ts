// Request and event validation with Amplitude HTTP V2 semantics: a request is accepted whole or rejected
// whole, and a rejection lists the offending event indices the way the SDKs read them.
import { groupsTooMany, opsTooLarge } from './property-limits';
import { errorBody, isIngestResult, type IngestResult } from './responses';

export const LIMITS = {
  httpapi: { maxBytes: 1_000_000, maxEvents: 2_000 },
  batch: { maxBytes: 20_000_000, maxEvents: 2_000 },
  maxString: 1_024,
  maxDepth: 40,
  defaultMinIdLength: 5,
};

// ids Amplitude refuses outright (case-insensitive)
const INVALID_IDS = new Set([
  'null',
  'none',
  'nil',
  '(null)',
  'undefined',
  'unknown',
  'empty',
  'n/a',
  'na',
  '-1',
  '0',
  '',
  '00000000-0000-0000-0000-000000000000',
  'lmy47d',
  'dummy',
  'anonymous',
  'default',
]);

/** The device and place of the user: an event may carry them, and the Identify API keeps them on the user. */
export const DEVICE_FIELDS = [
  'app_version',
  'platform',
  'os_name',
  'os_version',
  'device_brand',
  'device_manufacturer',
  'device_model',
  'carrier',
  'country',
  'region',
  'city',
  'dma',
  'language',
  'start_version',
] as const;

const STRING_FIELDS = [
  'user_id',
  'device_id',
  'event_type',
  ...DEVICE_FIELDS,
  'version_name',
  'device_type',
  'device_family',
  'ip',
  'idfa',
  'idfv',
  'adid',
  'android_id',
  'insert_id',
  'library',
  'productId',
  'revenueType',
  'partner_id',
  'amplitude_attribution_ids',
  'user_agent',
] as const;
const INTEGER_FIELDS = ['time', 'event_id', 'session_id', 'quantity'] as const;
const NUMBER_FIELDS = ['price', 'revenue', 'location_lat', 'location_lng'] as const;
const OBJECT_FIELDS = ['event_properties', 'user_properties', 'groups', 'group_properties', 'plan', 'ingestion_metadata'] as const;
// strings that must stay whole (truncating an id would change whose event it is)
const STRICT_STRINGS = new Set(['user_id', 'device_id', 'event_type', 'insert_id']);

export type JsonObject = { [k: string]: unknown };

/** An event after validation: strings truncated, short ids removed, types known good. */
export interface ValidEvent {
  index: number;
  user_id?: string;
  device_id?: string;
  event_type: string;
  time?: number;
  event_id?: number;
  session_id?: number;
  insert_id?: string;
  event_properties?: JsonObject;
  user_properties?: JsonObject;
  groups?: JsonObject;
  group_properties?: JsonObject;
  [k: string]: unknown;
}

export interface ValidRequest {
  /** 'identify' (the Identify API): identities and user properties change, no event is kept */
  kind?: 'events' | 'identify';
  apiKey: string;
  events: ValidEvent[];
  clientUploadTime: number | null;
  minIdLength: number;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deepest nesting of objects/arrays, stopping early past the limit. */
function depthExceeds(v: unknown, limit: number, depth = 1): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (depth > limit) return true;
  for (const child of Array.isArray(v) ? v : Object.values(v)) {
    if (depthExceeds(child, limit, depth + 1)) return true;
  }
  return false;
}

/** Whether a string or key inside `v` is longer than `max` (no copy is needed otherwise). */
function hasLongString(v: unknown, max: number): boolean {
  if (typeof v === 'string') return v.length > max;
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) return v.some((x) => hasLongString(x, max));
  for (const k in v) if (k.length > max || hasLongString((v as JsonObject)[k], max)) return true;
  return false;
}

/** Truncates every string inside properties to the limit, as Amplitude does (a copy only when one is too long). */
function truncateStrings(v: unknown, max: number): unknown {
  if (!hasLongString(v, max)) return v;
  if (typeof v === 'string') return v.slice(0, max);
  if (Array.isArray(v)) return v.map((x) => truncateStrings(x, max));
  if (isObject(v)) {
    const out: JsonObject = {};
    // defineProperty, not assignment: a "__proto__" key is data like any other
    for (const [k, x] of Object.entries(v)) {
      Object.defineProperty(out, k.length > max ? k.slice(0, max) : k, {
        value: truncateStrings(x, max),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return v;
}

function parseClientUploadTime(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/** Where each offending event goes in Amplitude's 400 body: field name → event indices. */
class Problems {
  readonly invalid: Record<string, number[]> = {};
  readonly missing: Record<string, number[]> = {};
  readonly idLengths: Record<string, number[]> = {};
  add(map: Record<string, number[]>, field: string, i: number) {
    (map[field] ??= []).push(i);
  }
  /** The 400 body listing every offending event, or null when there are none. */
  answer(): IngestResult | null {
    const hasInvalid = Object.keys(this.invalid).length > 0;
    const hasMissing = Object.keys(this.missing).length > 0;
    const hasIdLen = Object.keys(this.idLengths).length > 0;
    if (!hasInvalid && !hasMissing && !hasIdLen) return null;
    return errorBody(400, {
      error: hasMissing ? 'Request missing required field' : 'Invalid field values on some events',
      ...(hasMissing ? { events_with_missing_fields: this.missing } : {}),
      ...(hasInvalid ? { events_with_invalid_fields: this.invalid } : {}),
      ...(hasIdLen ? { events_with_invalid_id_lengths: this.idLengths } : {}),
    });
  }
}

/** The request-level fields: api key, the events array and options. */
function validateEnvelope(body: unknown, maxEvents: number): { apiKey: string; events: unknown[]; minIdLength: number } | IngestResult {
  if (!isObject(body)) return errorBody(400, { error: 'Invalid request body: expected a JSON object' });
  const apiKey = body.api_key;
  if (apiKey === undefined || apiKey === null || apiKey === '') {
    return errorBody(400, { error: 'Request missing required field', missing_field: 'api_key' });
  }
  if (typeof apiKey !== 'string' || apiKey.length > 256) {
    return errorBody(400, { error: 'Invalid API key: api_key must be a string' });
  }
  if (body.events === undefined || body.events === null) {
    return errorBody(400, { error: 'Request missing required field', missing_field: 'events' });
  }
  if (!Array.isArray(body.events)) {
    return errorBody(400, { error: 'Invalid field type: events must be an array of event objects', missing_field: 'events' });
  }
  if (body.events.length === 0) {
    return errorBody(400, { error: 'Request missing required field', missing_field: 'events' });
  }
  if (body.events.length > maxEvents) {
    return errorBody(413, { error: 'Payload too large' });
  }
  let minIdLength = LIMITS.defaultMinIdLength;
  if (body.options !== undefined && body.options !== null) {
    if (!isObject(body.options)) return errorBody(400, { error: 'Invalid field type: options must be an object' });
    const m = body.options.min_id_length;
    if (m !== undefined && m !== null) {
      if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > LIMITS.maxString) {
        return errorBody(400, { error: 'Invalid options: min_id_length must be an integer from 1 to 1024' });
      }
      minIdLength = m;
    }
  }
  return { apiKey, events: body.events, minIdLength };
}

/** Operations on stored properties and the groups an event names may not ask for more than a user or group may hold. */
function withinPropertyLimits(field: (typeof OBJECT_FIELDS)[number], v: JsonObject): boolean {
  if (field === 'groups') return !groupsTooMany(v);
  if (field === 'user_properties' || field === 'group_properties') return !opsTooLarge(v);
  return true;
}

/** Copies the typed fields of one event, noting each wrong one; returns whether all were right. */
function copyTypedFields(raw: JsonObject, e: ValidEvent, i: number, p: Problems): boolean {
  let ok = true;
  const bad = (f: string) => {
    p.add(p.invalid, f, i);
    ok = false;
  };
  for (const f of STRING_FIELDS) {
    const v = raw[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') bad(f);
    else if (v.length <= LIMITS.maxString) e[f] = v;
    // ids and the event type must stay whole (truncating would change whose event it is)
    else if (STRICT_STRINGS.has(f)) bad(f);
    else e[f] = v.slice(0, LIMITS.maxString);
  }
  for (const f of INTEGER_FIELDS) {
    const v = raw[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || (f === 'time' && v < 0)) bad(f);
    else e[f] = v;
  }
  for (const f of NUMBER_FIELDS) {
    const v = raw[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) bad(f);
    else e[f] = v;
  }
  for (const f of OBJECT_FIELDS) {
    const v = raw[f];
    if (v === undefined || v === null) continue;
    if (!isObject(v) || depthExceeds(v, LIMITS.maxDepth) || !withinPropertyLimits(f, v)) bad(f);
    else e[f] = truncateStrings(v, LIMITS.maxString) as JsonObject;
  }
  if (typeof raw.paying === 'boolean') e.paying = raw.paying;
  if (typeof raw.is_attribution_event === 'boolean') e.is_attribution_event = raw.is_attribution_event;
  return ok;
}

/** One event: its fields, its type, and ids Amplitude refuses or removes. Null when it is refused. */
function validateEvent(raw: unknown, i: number, minIdLength: number, p: Problems): ValidEvent | null {
  if (!isObject(raw)) {
    p.add(p.invalid, 'event', i);
    return null;
  }
  const e: ValidEvent = { index: i, event_type: '' };
  let ok = copyTypedFields(raw, e, i, p);
  if (!e.event_type) {
    if (!p.invalid.event_type?.includes(i)) p.add(p.missing, 'event_type', i);
    ok = false;
  }
  // an id Amplitude refuses, or shorter than min_id_length, refuses the event (400, the index listed):
  // storing it without that id would silently lose whose event it was
  for (const f of ['user_id', 'device_id'] as const) {
    const v = e[f];
    if (v === undefined) continue;
    if (INVALID_IDS.has(v.trim().toLowerCase())) {
      p.add(p.invalid, f, i);
      ok = false;
    } else if (v.length < minIdLength) {
      p.add(p.idLengths, f, i);
      ok = false;
    }
  }
  if (ok && e.user_id === undefined && e.device_id === undefined) {
    p.add(p.missing, 'user_id', i);
    p.add(p.missing, 'device_id', i);
    ok = false;
  }
  return ok ? e : null;
}

/**
 * Validates a parsed body. Returns the request or the Amplitude 400 body to send.
 * `maxEvents` is checked by the caller's endpoint limits (413).
 */
export function validateRequest(body: unknown, maxEvents: number): ValidRequest | IngestResult {
  const envelope = validateEnvelope(body, maxEvents);
  if (isIngestResult(envelope)) return envelope;
  const problems = new Problems();
  const events = envelope.events.map((raw, i) => validateEvent(raw, i, envelope.minIdLength, problems)).filter((e): e is ValidEvent => e !== null);
  const refused = problems.answer();
  if (refused) return refused;
  const clientUploadTime = parseClientUploadTime((body as JsonObject).client_upload_time);
  return { apiKey: envelope.apiKey, events, clientUploadTime, minIdLength: envelope.minIdLength };
}

/** One Group Identify API item: a group and the operations on its properties. */
export interface GroupIdentification {
  group: { type: string; name: string };
  ops: JsonObject;
}

/**
 * Validates Group Identify items (`group_type`, `group_value`, `group_properties`). Returns them, or the
 * 400 listing the offending indices the same way events are listed.
 */
export function validateGroupIdentify(items: unknown[], maxItems: number): GroupIdentification[] | IngestResult {
  if (items.length === 0) return errorBody(400, { error: 'Request missing required field', missing_field: 'identification' });
  if (items.length > maxItems) return errorBody(413, { error: 'Payload too large' });
  const invalid: Record<string, number[]> = {};
  const missing: Record<string, number[]> = {};
  const out: GroupIdentification[] = [];
  items.forEach((raw, i) => {
    const bad = (map: Record<string, number[]>, f: string) => (map[f] ??= []).push(i);
    if (!isObject(raw)) return bad(invalid, 'identification');
    const { group_type: type, group_value: value, group_properties: props } = raw;
    let ok = true;
    if (type === undefined || type === null || type === '') {
      bad(missing, 'group_type');
      ok = false;
    } else if (typeof type !== 'string' || type.length > LIMITS.maxString) {
      bad(invalid, 'group_type');
      ok = false;
    }
    if (value === undefined || value === null || value === '') {
      bad(missing, 'group_value');
      ok = false;
    } else if ((typeof value !== 'string' && typeof value !== 'number') || String(value).length > LIMITS.maxString) {
      bad(invalid, 'group_value');
      ok = false;
    }
    if (props === undefined || props === null) {
      bad(missing, 'group_properties');
      ok = false;
    } else if (!isObject(props) || depthExceeds(props, LIMITS.maxDepth) || opsTooLarge(props)) {
      bad(invalid, 'group_properties');
      ok = false;
    }
    if (ok) out.push({ group: { type: type as string, name: String(value) }, ops: truncateStrings(props, LIMITS.maxString) as JsonObject });
  });
  const hasMissing = Object.keys(missing).length > 0;
  if (hasMissing || Object.keys(invalid).length > 0) {
    return errorBody(400, {
      error: hasMissing ? 'Request missing required field' : 'Invalid field values on some identifications',
      ...(hasMissing ? { events_with_missing_fields: missing } : {}),
      ...(Object.keys(invalid).length > 0 ? { events_with_invalid_fields: invalid } : {}),
    });
  }
  return out;
}
