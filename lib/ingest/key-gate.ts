// A key over its events-per-second limit (lib/ingest/throttle.ts) is refused for the rest of that second
// before its next bodies are parsed: parsing is most of a request's cost, and a flood past the limit
// would otherwise queue every other key's requests behind its own. The key is read from the head of the
// body where the SDKs put it (the first field of the JSON object, or a form field), without parsing the
// rest; a body that does not start so takes the ordinary path and is refused after parsing.
// Runtime-neutral.
import { isJsonDoor, type IngestDoor } from './doors';
import type { IngestResult } from './responses';
import { tooMany } from './throttle';

// how much of a body (inflated) is looked at for its key
export const HEAD_BYTES = 4_096;
const JSON_KEY = /^\s*\{\s*"api_key"\s*:\s*"([^"\\]{1,256})"/;
const FORM_KEY: Record<string, RegExp> = {
  '/': /(?:^|&)client=([^&]{1,768})(?:&|$)/,
  '/httpapi': /(?:^|&)api_key=([^&]{1,768})(?:&|$)/,
  '/identify': /(?:^|&)api_key=([^&]{1,768})(?:&|$)/,
  '/groupidentify': /(?:^|&)api_key=([^&]{1,768})(?:&|$)/,
};

/** The first bytes of a gzip body, inflated; null when they cannot be. */
async function inflatedHead(body: Uint8Array): Promise<Uint8Array | null> {
  const reader = new Blob([body as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < HEAD_BYTES) {
      const r = await reader.read();
      if (r.done) break;
      chunks.push(r.value);
      size += r.value.byteLength;
    }
  } catch {
    return null;
  } finally {
    reader.cancel().catch(() => {});
  }
  const head = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) head.set(c, (at += c.byteLength) - c.byteLength);
  return head;
}

/** The API key at the head of a body, or null when it is not there. */
export async function leadingApiKey(door: IngestDoor, body: Uint8Array, encoding: string): Promise<string | null> {
  const head = encoding === 'gzip' ? await inflatedHead(body) : encoding === '' || encoding === 'identity' ? body.subarray(0, HEAD_BYTES) : null;
  if (!head) return null;
  const text = new TextDecoder().decode(head);
  if (isJsonDoor(door)) return JSON_KEY.exec(text)?.[1] ?? null;
  const m = FORM_KEY[door].exec(head.byteLength < HEAD_BYTES ? text : text.slice(0, text.lastIndexOf('&') + 1));
  if (!m) return null;
  try {
    return decodeURIComponent(m[1].replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/** Keys refused for the rest of their second, in this process. */
export class KeyGate {
  private readonly until = new Map<string, number>();

  /** Remembers that `apiKey` is over its limit until `until` (epoch ms). */
  refuse(apiKey: string, until: number) {
    // a handful of keys are over at once; an old entry is dropped when the map grows
    if (this.until.size >= 10_000) for (const [k, t] of this.until) if (t <= until - 1_000) this.until.delete(k);
    this.until.set(apiKey, until);
  }

  /** Amplitude's 429 for a key still over its limit (`threshold` events a second), or null. */
  check(apiKey: string | null, now: number, maxEvents: number, threshold: number): IngestResult | null {
    if (apiKey === null) return null;
    const until = this.until.get(apiKey);
    if (until === undefined) return null;
    if (now >= until) {
      this.until.delete(apiKey);
      return null;
    }
    // the events were not counted: every index a request may hold is throttled (the SDKs retry them later)
    return tooMany(
      'Too many requests for this api_key',
      threshold,
      {},
      {},
      Array.from({ length: maxEvents }, (_, i) => i),
    );
  }
}
