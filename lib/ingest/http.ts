// HTTP face of ingestion, on web APIs only. Every door reads its body under a byte cap (413), inflates
// gzip, checks the JSON's shape before parsing it (bounded-json), validates, stores, and answers in
// Amplitude's shape (JSON for /2/httpapi and /batch, text words for the form doors) with CORS
// headers for browsers. Storage that is busy or full answers 503: nothing was stored, retry.
import type { Db } from '../db/types';
import { isBusy } from '../db/write';
import { hasLoneSurrogate, parseBounded, ShapeError } from '../util/bounded-json';
import { readAll, TooLarge } from '../util/bytes';
import { corsHeaders } from './cors';
import { ingest, ingestGroupIdentify, type IngestContext } from './ingest';
import { fromIdentification, fromLegacyEvent, legacyAnswer, readForm, type FormDoor } from './legacy';
import { errorBody, isIngestResult, payloadTooLarge, type IngestResult } from './responses';
import { LIMITS, validateGroupIdentify, validateRequest } from './validate';

export type JsonDoor = '/2/httpapi' | '/batch';
export type IngestDoor = JsonDoor | FormDoor;

// the HTTP V2 API keeps Amplitude's 1 MB; every other door has the batch API's 20 MB and 2,000 items
const DOOR_LIMITS: Record<IngestDoor, { maxBytes: number; maxEvents: number }> = {
  '/2/httpapi': LIMITS.httpapi,
  '/batch': LIMITS.batch,
  '/': LIMITS.batch,
  '/httpapi': LIMITS.batch,
  '/identify': LIMITS.batch,
  '/groupidentify': LIMITS.batch,
};

/** The body as text: capped before and after gzip, UTF-8 checked. An IngestResult when it cannot be read. */
async function readBody(request: Request, maxBytes: number): Promise<{ text: string; bytes: number } | IngestResult> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return payloadTooLarge();
  try {
    let raw = await readAll(request.body, maxBytes);
    const encoding = (request.headers.get('content-encoding') ?? '').trim().toLowerCase();
    if (encoding === 'gzip') {
      const inflated = new Blob([raw as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
      raw = await readAll(inflated, maxBytes);
    } else if (encoding && encoding !== 'identity') {
      return errorBody(415, { error: `Unsupported Content-Encoding: ${encoding.slice(0, 40)}` });
    }
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(raw), bytes: raw.byteLength };
  } catch (e) {
    if (e instanceof TooLarge) return payloadTooLarge();
    return errorBody(400, { error: 'Invalid request body: could not read, decompress or decode it as UTF-8' });
  }
}

/** Messages and codes down the cause chain (drizzle wraps the driver's error). */
function errorText(e: unknown, depth = 0): string {
  if (!e || depth > 5) return '';
  const err = e as { message?: string; code?: string; cause?: unknown };
  return `${err.code ?? ''} ${err.message ?? String(e)} ${err.cause && err.cause !== e ? errorText(err.cause, depth + 1) : ''}`;
}

function failure(e: unknown): IngestResult {
  if (e instanceof ShapeError) return errorBody(e.problem.status, { error: e.problem.error });
  if (e instanceof SyntaxError) return errorBody(400, { error: 'Invalid request body: not valid JSON' });
  const msg = errorText(e);
  if (isBusy(e)) return { ...errorBody(503, { error: 'Storage is busy; nothing was stored, retry later' }), headers: { 'Retry-After': '1' } };
  if (/SQLITE_FULL|database or disk is full|SQLITE_IOERR|disk I\/O error|SQLITE_READONLY|readonly database/i.test(msg)) {
    return {
      ...errorBody(503, { error: 'Storage is unavailable (disk full or read-only); nothing was stored, retry later' }),
      headers: { 'Retry-After': '5' },
    };
  }
  console.error('ingest failed', (e as Error)?.message ?? e);
  return errorBody(500, { error: 'Internal error; nothing was stored, retry later' });
}

const BAD_UNICODE = errorBody(400, { error: 'Invalid Unicode: a string holds a lone surrogate (\\ud800-\\udfff outside a pair); nothing was stored' });

async function jsonDoor(db: Db, text: string, door: JsonDoor, ctx: IngestContext): Promise<IngestResult> {
  const body = parseBounded(text);
  if (hasLoneSurrogate(text, body)) return BAD_UNICODE;
  const req = validateRequest(body, DOOR_LIMITS[door].maxEvents);
  return isIngestResult(req) ? req : ingest(db, req, ctx);
}

async function formDoor(db: Db, text: string, door: FormDoor, ctx: IngestContext): Promise<IngestResult> {
  const form = readForm(door, text);
  if (isIngestResult(form)) return form;
  if (hasLoneSurrogate(form.json, form.items)) return BAD_UNICODE;
  const { maxEvents } = DOOR_LIMITS[door];
  if (door === '/groupidentify') {
    if (typeof form.apiKey !== 'string') return errorBody(400, { error: 'Invalid API key' });
    const items = validateGroupIdentify(form.items, maxEvents);
    return isIngestResult(items) ? items : ingestGroupIdentify(db, form.apiKey, items, ctx);
  }
  const events = form.items.map(door === '/identify' ? fromIdentification : fromLegacyEvent);
  const req = validateRequest({ api_key: form.apiKey, events, client_upload_time: form.clientUploadTime ?? undefined }, maxEvents);
  if (isIngestResult(req)) return req;
  return ingest(db, { ...req, kind: door === '/identify' ? 'identify' : 'events' }, ctx);
}

export function jsonResponse(r: IngestResult, origin: string | null = null): Response {
  return new Response(JSON.stringify(r.body), { status: r.status, headers: answerHeaders(r, origin, 'application/json') });
}

function answerHeaders(r: IngestResult, origin: string | null, type: string): Record<string, string> {
  return { 'content-type': type, 'cache-control': 'no-store', ...(r.cors === false ? {} : corsHeaders(origin)), ...(r.headers ?? {}) };
}

/** One ingestion request through `door`, answered the way that door's SDKs expect. */
export async function handleIngest(db: Db, request: Request, door: IngestDoor, ip: string | null, opts: Partial<IngestContext> = {}): Promise<Response> {
  const receivedAt = Date.now();
  const origin = request.headers.get('origin');
  const isForm = door !== '/2/httpapi' && door !== '/batch';
  let result: IngestResult;
  const body = await readBody(request, DOOR_LIMITS[door].maxBytes);
  if (isIngestResult(body)) result = body;
  else {
    const ctx: IngestContext = { path: door, receivedAt, ip, origin, payloadBytes: body.bytes, ...opts };
    try {
      result = isForm ? await formDoor(db, body.text, door, ctx) : await jsonDoor(db, body.text, door, ctx);
    } catch (e) {
      result = failure(e);
    }
  }
  if (!isForm) return jsonResponse(result, origin);
  const answer = legacyAnswer(result);
  return new Response(answer.text, { status: answer.status, headers: answerHeaders(answer, origin, 'text/plain; charset=utf-8') });
}
