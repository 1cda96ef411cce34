// HTTP face of ingestion, on web APIs only. Every door reads its body under a byte cap (413), inflates
// gzip, checks the JSON's shape before parsing it (bounded-json), validates, stores, and answers in
// Amplitude's shape (JSON for /2/httpapi and /batch, text words for the form doors) with CORS
// headers for browsers. Storage that is busy or full answers 503: nothing was stored, retry.
import type { Db } from '../db/types';
import { storageFault } from '../db/storage-fault';
import { readAll, Stopped, TooLarge } from '../util/bytes';
import { corsHeaders } from './cors';
import { KEY_EPS_LIMIT, storePrepared, type IngestContext } from './ingest';
import { HEAD_BYTES, KeyGate, leadingApiKey } from './key-gate';
import { isJsonDoor, type IngestDoor } from './doors';
import { legacyAnswer } from './legacy';
import { DOOR_LIMITS, prepareRequest, type RawRequest } from './prepare';
import { errorBody, isIngestResult, payloadTooLarge, type IngestResult } from './responses';

/** Stores a request's body and answers: here by default (ingestRaw), on threads of their own at the Node edge. */
export type Ingester = (raw: RawRequest, ctx: IngestContext) => Promise<IngestResult>;

const keyGate = new KeyGate();

/**
 * The body's bytes under the door's cap (413 past it). A body whose head names a key over its limit
 * this second (lib/ingest/key-gate.ts) is not read further: its 429 is the answer.
 */
async function readBody(request: Request, door: IngestDoor, encoding: string, keyEpsLimit: number): Promise<Uint8Array | IngestResult> {
  const { maxBytes, maxEvents } = DOOR_LIMITS[door];
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return payloadTooLarge();
  let refused: IngestResult | null = null;
  const head = {
    bytes: HEAD_BYTES,
    stop: async (bytes: Uint8Array) => (refused = keyGate.check(await leadingApiKey(door, bytes, encoding), Date.now(), maxEvents, keyEpsLimit)) !== null,
  };
  try {
    return await readAll(request.body, maxBytes, head);
  } catch (e) {
    if (e instanceof Stopped && refused) return refused;
    if (e instanceof TooLarge) return payloadTooLarge();
    return errorBody(400, { error: 'Invalid request body: could not read it' });
  }
}

/** Messages and codes down the cause chain (drizzle wraps the driver's error). */
/** The answer to a request whose storing failed: 503 when Spillway's storage is busy, full or broken (nothing was stored). */
export function failure(e: unknown): IngestResult {
  const fault = storageFault(e);
  if (fault?.kind === 'busy') return { ...errorBody(503, { error: 'Storage is busy; nothing was stored, retry later' }), headers: { 'Retry-After': '1' } };
  if (fault) {
    console.error(`ingest refused: ${fault.reason}`);
    return {
      ...errorBody(503, { error: `Storage is unavailable (${fault.kind === 'full' ? 'disk full' : fault.kind}); nothing was stored, retry later` }),
      headers: { 'Retry-After': '5' },
    };
  }
  console.error('ingest failed', (e as Error)?.message ?? e);
  return errorBody(500, { error: 'Internal error; nothing was stored, retry later' });
}

export function jsonResponse(r: IngestResult, origin: string | null = null): Response {
  return new Response(JSON.stringify(r.body), { status: r.status, headers: answerHeaders(r, origin, 'application/json') });
}

function answerHeaders(r: IngestResult, origin: string | null, type: string): Record<string, string> {
  return { 'content-type': type, 'cache-control': 'no-store', ...(r.cors === false ? {} : corsHeaders(origin)), ...(r.headers ?? {}) };
}

/** Prepares and stores one request's body in this thread; never throws. */
export async function ingestRaw(db: Db, raw: RawRequest, ctx: IngestContext): Promise<IngestResult> {
  try {
    const prepared = await prepareRequest(raw);
    return isIngestResult(prepared) ? prepared : await storePrepared(db, prepared, ctx);
  } catch (e) {
    return failure(e);
  }
}

/** One ingestion request through `door`, answered the way that door's SDKs expect. */
export async function handleIngest(
  db: Db,
  request: Request,
  door: IngestDoor,
  ip: string | null,
  opts: Partial<IngestContext> & { ingest?: Ingester; observe?: (door: IngestDoor, result: IngestResult, seconds: number) => void } = {},
): Promise<Response> {
  const receivedAt = Date.now();
  const origin = request.headers.get('origin');
  const isForm = !isJsonDoor(door);
  const { ingest = (raw, ctx) => ingestRaw(db, raw, ctx), observe, ...ctxOpts } = opts;
  let result: IngestResult;
  const encoding = (request.headers.get('content-encoding') ?? '').trim().toLowerCase();
  // a key over its limit this second is refused before its body is read whole and parsed: others' requests do not wait behind it
  const body = await readBody(request, door, encoding, ctxOpts.keyEpsLimit ?? KEY_EPS_LIMIT);
  if (isIngestResult(body)) result = body;
  else {
    const ctx: IngestContext = { path: door, receivedAt, ip, origin, payloadBytes: body.byteLength, ...ctxOpts };
    result = await ingest({ door, body, encoding, receivedAt, ip }, ctx).catch(failure);
    if (result.keyRefused) keyGate.refuse(result.keyRefused.apiKey, result.keyRefused.until);
  }
  observe?.(door, result, (Date.now() - receivedAt) / 1000);
  if (!isForm) return jsonResponse(result, origin);
  const answer = legacyAnswer(result);
  return new Response(answer.text, { status: answer.status, headers: answerHeaders(answer, origin, 'text/plain; charset=utf-8') });
}
