// Response bodies in Amplitude's shapes. The SDKs read `code` from the body, not the HTTP status.
export interface IngestResult {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  /** false: the caller's origin may not send, so the answer carries no CORS headers */
  cors?: false;
  /** the request's key is over its events-per-second limit until then (lib/ingest/key-gate.ts) */
  keyRefused?: { apiKey: string; until: number };
}

export function errorBody(status: number, fields: Record<string, unknown>): IngestResult {
  return { status, body: { code: status, ...fields } };
}

export function isIngestResult(v: unknown): v is IngestResult {
  return typeof v === 'object' && v !== null && 'status' in v && 'body' in v;
}

export const payloadTooLarge = (): IngestResult => errorBody(413, { error: 'Payload too large' });
