// HTTP face of ingestion, on web APIs only: body size caps (413), gzip bodies, any content type
// (sendBeacon posts text/plain), JSON errors in Amplitude's shape, and 503 when storage is busy or full.
import type { Db } from '../db/types';
import { isBusy } from '../db/write';
import { ingest, type IngestContext } from './ingest';
import { errorBody, isIngestResult, payloadTooLarge, type IngestResult } from './responses';
import { LIMITS, validateRequest } from './validate';

export type IngestPath = '/2/httpapi' | '/batch';

class TooLarge extends Error {}

async function readCapped(stream: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array> {
  if (!stream) return new Uint8Array();
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw new TooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

export function jsonResponse(r: IngestResult): Response {
  return new Response(JSON.stringify(r.body), {
    status: r.status,
    headers: { 'content-type': 'application/json', ...(r.headers ?? {}) },
  });
}

/** Messages and codes down the cause chain (drizzle wraps the driver's error). */
function errorText(e: unknown, depth = 0): string {
  if (!e || depth > 5) return '';
  const err = e as { message?: string; code?: string; cause?: unknown };
  return `${err.code ?? ''} ${err.message ?? String(e)} ${err.cause && err.cause !== e ? errorText(err.cause, depth + 1) : ''}`;
}

function storageError(e: unknown): IngestResult | null {
  const msg = errorText(e);
  if (isBusy(e)) return { ...errorBody(503, { error: 'Storage is busy; nothing was stored, retry later' }), headers: { 'Retry-After': '1' } };
  if (/SQLITE_FULL|database or disk is full|SQLITE_IOERR|disk I\/O error|SQLITE_READONLY|readonly database/i.test(msg)) {
    return { ...errorBody(503, { error: 'Storage is unavailable (disk full or read-only); nothing was stored, retry later' }), headers: { 'Retry-After': '5' } };
  }
  return null;
}

export async function handleIngest(db: Db, request: Request, path: IngestPath, ip: string | null, opts: Partial<IngestContext> = {}): Promise<Response> {
  const receivedAt = Date.now();
  const limits = path === '/batch' ? LIMITS.batch : LIMITS.httpapi;
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limits.maxBytes) return jsonResponse(payloadTooLarge());

  let raw: Uint8Array;
  try {
    raw = await readCapped(request.body, limits.maxBytes);
    const encoding = (request.headers.get('content-encoding') ?? '').trim().toLowerCase();
    if (encoding === 'gzip') {
      const inflated = new Blob([raw as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
      raw = await readCapped(inflated, limits.maxBytes);
    } else if (encoding && encoding !== 'identity') {
      return jsonResponse(errorBody(415, { error: `Unsupported Content-Encoding: ${encoding.slice(0, 40)}` }));
    }
  } catch (e) {
    if (e instanceof TooLarge) return jsonResponse(payloadTooLarge());
    return jsonResponse(errorBody(400, { error: 'Invalid request body: could not read or decompress it' }));
  }

  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    return jsonResponse(errorBody(400, { error: 'Invalid request body: not valid JSON' }));
  }
  const req = validateRequest(body, limits.maxEvents);
  if (isIngestResult(req)) return jsonResponse(req);
  try {
    return jsonResponse(await ingest(db, req, { path, receivedAt, ip, payloadBytes: raw.byteLength, ...opts }));
  } catch (e) {
    const r = storageError(e);
    if (r) return jsonResponse(r);
    console.error('ingest failed', (e as Error)?.message ?? e);
    return jsonResponse(errorBody(500, { error: 'Internal error; nothing was stored, retry later' }));
  }
}
