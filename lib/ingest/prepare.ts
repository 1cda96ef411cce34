// Everything about a request that needs no database: the body decoded (gzip, UTF-8), its shape checked
// before JSON.parse, validated, user agents parsed, and each event's row half-built (lib/ingest/
// event-rows.ts) with its dedupe key. The result is plain data, so the Node edge runs this on worker
// threads while another request's write transaction runs (it crosses in prepared-wire.ts's form).
// Runtime-neutral.
import { dedupeHash } from '../db/dedupe-key';
import { hasLoneSurrogate, parseBounded, ShapeError } from '../util/bounded-json';
import { readAll, TooLarge } from '../util/bytes';
import { toHex } from '../util/hash';
import { sha256 } from '../util/sha256';
import { eventTimes, prepareRow, R, randomUuids, userOpsOf, type RequestContext, type Row } from './event-rows';
import { groupsOf, type GroupRef } from '../db/event-layout';
import { isJsonDoor, type FormDoor, type IngestDoor } from './doors';
import { fromIdentification, fromLegacyEvent, readForm } from './legacy';
import { errorBody, isIngestResult, payloadTooLarge, type IngestResult } from './responses';
import { enrichEvents } from './enrich';
import { LIMITS, validateGroupIdentify, validateRequest, type GroupIdentification, type JsonObject, type ValidRequest } from './validate';

// the HTTP V2 API keeps Amplitude's 1 MB; every other door has the batch API's 20 MB and 2,000 items
export const DOOR_LIMITS: Record<IngestDoor, { maxBytes: number; maxEvents: number }> = {
  '/2/httpapi': LIMITS.httpapi,
  '/batch': LIMITS.batch,
  '/': LIMITS.batch,
  '/httpapi': LIMITS.batch,
  '/identify': LIMITS.batch,
  '/groupidentify': LIMITS.batch,
};

/**
 * One event ready for the write transaction: its event_rows values (ids, times and the rest in `row`;
 * project and identity columns not yet filled) and what identity resolution needs besides.
 */
export interface PreparedEvent {
  row: Row;
  /** event_time, absolute (identity resolution stamps users and merges with it) */
  eventTime: number;
  /** 16 bytes of SHA-256 of the dedupe key and insert_id; null without an insert_id */
  dedupeKey: Uint8Array | null;
  /** the insert_id while the dedupe key waits for a device id derived from the user id (assignProject) */
  keyPending: string | null;
  userOps: JsonObject | null;
  groups: GroupRef[] | null;
  /** $groupidentify: the operations on its groups' properties */
  groupOps: JsonObject | null;
}

export const userIdOf = (e: PreparedEvent) => e.row[R.user_id] as string | null;
/** null until the project is known when derived from the user id */
export const deviceIdOf = (e: PreparedEvent) => e.row[R.device_id] as string | null;

export interface PreparedEvents {
  type: 'events';
  /** 'identify': identities and user properties change, no event row is kept */
  kind: 'events' | 'identify';
  apiKey: string;
  events: PreparedEvent[];
}

export interface PreparedGroupIdentify {
  type: 'groupidentify';
  apiKey: string;
  items: GroupIdentification[];
}

export type Prepared = PreparedEvents | PreparedGroupIdentify;

export interface RawRequest {
  door: IngestDoor;
  body: Uint8Array;
  /** the Content-Encoding header, lower case */
  encoding: string;
  receivedAt: number;
  ip: string | null;
}

const BAD_UNICODE = errorBody(400, { error: 'Invalid Unicode: a string holds a lone surrogate (\\ud800-\\udfff outside a pair); nothing was stored' });

/** The dedupe identity: the event's device, or its user when it has no device (Amplitude's rule). */
export const dedupeKey = (deviceId: string | null, userId: string | null, insertId: string): Uint8Array =>
  dedupeHash(deviceId !== null ? `d:${deviceId}` : `u:${userId}`, insertId);

/** Amplitude fills a missing device_id from a hash of the user_id (per project). */
export const derivedDeviceId = (projectId: number, userId: string) => toHex(sha256(`${projectId}:${userId}`)).slice(0, 32);

/** The body as text: inflated under the cap, UTF-8 checked. An IngestResult when it cannot be read. */
async function decodeBody(raw: RawRequest): Promise<string | IngestResult> {
  try {
    let bytes = raw.body;
    if (raw.encoding === 'gzip') {
      const inflated = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
      bytes = await readAll(inflated, DOOR_LIMITS[raw.door].maxBytes);
    } else if (raw.encoding && raw.encoding !== 'identity') {
      return errorBody(415, { error: `Unsupported Content-Encoding: ${raw.encoding.slice(0, 40)}` });
    }
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    if (e instanceof TooLarge) return payloadTooLarge();
    return errorBody(400, { error: 'Invalid request body: could not read, decompress or decode it as UTF-8' });
  }
}

/** The events of a validated request, half-built (see PreparedEvent). */
export function prepareEvents(req: ValidRequest, ctx: Omit<RequestContext, 'clientUploadTime'>): PreparedEvents {
  enrichEvents(req.events, ctx.path, ctx.ip);
  const rctx: RequestContext = { ...ctx, clientUploadTime: req.clientUploadTime };
  const uuids = randomUuids(req.events.length);
  const events = req.events.map((e, i): PreparedEvent => {
    const groups = groupsOf(e.groups);
    const keyNow = e.insert_id !== undefined && e.device_id !== undefined;
    return {
      row: prepareRow(e, rctx, uuids.subarray(i * 16, i * 16 + 16)),
      eventTime: eventTimes(e, rctx).eventTime,
      dedupeKey: keyNow ? dedupeKey(e.device_id!, e.user_id ?? null, e.insert_id!) : null,
      keyPending: e.insert_id !== undefined && !keyNow ? e.insert_id : null,
      userOps: userOpsOf(e) ?? null,
      groups: groups.length ? groups : null,
      groupOps: e.event_type === '$groupidentify' ? (e.group_properties ?? null) : null,
    };
  });
  return { type: 'events', kind: req.kind ?? 'events', apiKey: req.apiKey, events };
}

/** Fills what needs the project: its id, device ids derived from user ids, and their dedupe keys. */
export function assignProject(p: PreparedEvents, projectId: number) {
  for (const e of p.events) {
    e.row[R.project_id] = projectId;
    const userId = userIdOf(e);
    if (deviceIdOf(e) === null && userId !== null) {
      const deviceId = derivedDeviceId(projectId, userId);
      e.row[R.device_id] = deviceId;
      if (e.keyPending !== null) e.dedupeKey = dedupeKey(deviceId, userId, e.keyPending);
    }
  }
}

const contextOf = (raw: RawRequest) => ({ path: raw.door, receivedAt: raw.receivedAt, ip: raw.ip });

function jsonRequest(text: string, raw: RawRequest): Prepared | IngestResult {
  const body = parseBounded(text);
  if (hasLoneSurrogate(text, body)) return BAD_UNICODE;
  const req = validateRequest(body, DOOR_LIMITS[raw.door].maxEvents);
  return isIngestResult(req) ? req : prepareEvents(req, contextOf(raw));
}

function formRequest(text: string, door: FormDoor, raw: RawRequest): Prepared | IngestResult {
  const form = readForm(door, text);
  if (isIngestResult(form)) return form;
  if (hasLoneSurrogate(form.json, form.items)) return BAD_UNICODE;
  const { maxEvents } = DOOR_LIMITS[door];
  if (door === '/groupidentify') {
    if (typeof form.apiKey !== 'string') return errorBody(400, { error: 'Invalid API key' });
    const items = validateGroupIdentify(form.items, maxEvents);
    return isIngestResult(items) ? items : { type: 'groupidentify', apiKey: form.apiKey, items };
  }
  const events = form.items.map(door === '/identify' ? fromIdentification : fromLegacyEvent);
  const req = validateRequest({ api_key: form.apiKey, events, client_upload_time: form.clientUploadTime ?? undefined }, maxEvents);
  if (isIngestResult(req)) return req;
  return prepareEvents({ ...req, kind: door === '/identify' ? 'identify' : 'events' }, contextOf(raw));
}

/** One request's body to prepared events, or the answer that refuses it. Never throws. */
export async function prepareRequest(raw: RawRequest): Promise<Prepared | IngestResult> {
  const text = await decodeBody(raw);
  if (typeof text !== 'string') return text;
  try {
    return isJsonDoor(raw.door) ? jsonRequest(text, raw) : formRequest(text, raw.door, raw);
  } catch (e) {
    if (e instanceof ShapeError) return errorBody(e.problem.status, { error: e.problem.error });
    if (e instanceof SyntaxError) return errorBody(400, { error: 'Invalid request body: not valid JSON' });
    console.error('ingest: preparing a request failed', (e as Error)?.message ?? e);
    return errorBody(500, { error: 'Internal error; nothing was stored, retry later' });
  }
}
