// Amplitude's form-encoded doors, turned into the HTTP V2 request the rest of ingestion knows:
//   POST /               amplitude-js 8.x and the legacy iOS/Android SDKs: client, e, v, upload_time, checksum
//   POST /httpapi        the deprecated HTTP API v1: api_key, event (one object or an array)
//   POST /identify       Identify API: api_key, identification (one object or an array)
//   POST /groupidentify  Group Identify API: api_key, identification with group_type, group_value, group_properties
// Their answers are text, as Amplitude's are: `success`, or a short error word (see legacyAnswer).
// Runtime-neutral.
import { parseBounded } from '../util/bounded-json';
import { errorBody, type IngestResult } from './responses';
import { DEVICE_FIELDS, isObject, type JsonObject } from './validate';

import type { FormDoor } from './doors';

const FIELDS: Record<FormDoor, { key: string; data: string }> = {
  '/': { key: 'client', data: 'e' },
  '/httpapi': { key: 'api_key', data: 'event' },
  '/identify': { key: 'api_key', data: 'identification' },
  '/groupidentify': { key: 'api_key', data: 'identification' },
};

/** Identify API fields besides the ids and user properties that Amplitude keeps on the user. */
const IDENTIFY_FIELDS = ['user_id', 'device_id', 'user_properties', 'groups', 'paying', ...DEVICE_FIELDS];

export interface FormRequest {
  apiKey: unknown;
  /** the JSON field's text, and what it parsed to (one object becomes a list of one) */
  json: string;
  items: unknown[];
  clientUploadTime: number | null;
}

/** The api key and the JSON list a form body carries; throws ShapeError or SyntaxError from the JSON. */
export function readForm(door: FormDoor, text: string): FormRequest | IngestResult {
  const form = new URLSearchParams(text);
  const { key, data } = FIELDS[door];
  const apiKey = form.get(key);
  if (!apiKey) return errorBody(400, { error: 'Request missing required field', missing_field: key === 'client' ? 'api_key' : key });
  const json = form.get(data);
  if (json === null || json === '') return errorBody(400, { error: 'Request missing required field', missing_field: data });
  const parsed = parseBounded(json);
  const items = Array.isArray(parsed) ? parsed : [parsed];
  const uploadTime = Number(form.get('upload_time'));
  return { apiKey, json, items, clientUploadTime: Number.isSafeInteger(uploadTime) && uploadTime > 0 ? uploadTime : null };
}

/**
 * A legacy SDK event in HTTP V2 terms: `timestamp` is `time`, the library object becomes
 * `name/version` (the text exports carry), and the client's `uuid` is the dedupe `insert_id`, so a
 * batch re-sent after a lost answer is stored once.
 */
export function fromLegacyEvent(raw: unknown): unknown {
  if (!isObject(raw)) return raw;
  const e: JsonObject = { ...raw };
  if (e.time === undefined && typeof e.timestamp === 'number') e.time = e.timestamp;
  const lib = e.library;
  if (isObject(lib) && typeof lib.name === 'string') e.library = typeof lib.version === 'string' ? `${lib.name}/${lib.version}` : lib.name;
  if (e.insert_id === undefined && typeof e.uuid === 'string') e.insert_id = e.uuid;
  return e;
}

/** An Identify API item as a `$identify` event that keeps no row. */
export function fromIdentification(raw: unknown): unknown {
  if (!isObject(raw)) return raw;
  const e: JsonObject = { event_type: '$identify' };
  for (const f of IDENTIFY_FIELDS) if (raw[f] !== undefined) e[f] = raw[f];
  return e;
}

// Amplitude's legacy endpoints answer in words; the SDKs compare the text (`success`, `invalid_api_key`)
function errorWord(r: IngestResult): string {
  const error = String(r.body.error ?? '');
  switch (r.status) {
    case 400:
      if (error.startsWith('Invalid API key')) return 'invalid_api_key';
      if (r.body.missing_field === 'api_key') return 'missing_api_key';
      if (r.body.missing_field) return 'missing_event';
      return 'invalid_event';
    case 403:
      return 'origin_not_allowed';
    case 413:
      return 'Request Entity Too Large'; // what amplitude-js looks for over XDomainRequest
    case 415:
      return 'unsupported_encoding';
    case 429:
      return 'too_many_requests';
    case 503:
      return 'service_unavailable';
    default:
      return 'internal_error';
  }
}

/** The text answer of a form door: `success`, or the error word with the reason in a header. */
export function legacyAnswer(r: IngestResult): IngestResult & { text: string } {
  if (r.status === 200) return { ...r, text: 'success' };
  return {
    ...r,
    text: errorWord(r),
    headers: {
      ...r.headers,
      'X-Spillway-Error': String(r.body.error ?? '')
        .slice(0, 300)
        .replace(/[^\x20-\x7e]/g, '?'),
    },
  };
}
