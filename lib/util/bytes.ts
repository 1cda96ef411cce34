// Reading a byte stream whole, with an optional cap (request bodies) — one place for both users.

/** Thrown by readAll when the stream passes `max` bytes (the stream is cancelled). */
export class TooLarge extends Error {}

/** Thrown by readAll, once the stream has ended, when its `head.stop` said not to keep the body. */
export class Stopped extends Error {}

/**
 * Looks once at the first `bytes` bytes (or all, when fewer); when `stop` says so, the rest is read and
 * dropped, not kept: the sender gets its answer after an ordinary upload (a body left unread stalls
 * an HTTP client mid-upload until its socket is reset).
 */
export interface HeadCheck {
  bytes: number;
  stop: (head: Uint8Array) => Promise<boolean>;
}

export async function readAll(stream: ReadableStream<Uint8Array> | null, max = Infinity, head?: HeadCheck): Promise<Uint8Array> {
  if (!stream) return new Uint8Array();
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let looked = !head;
  let dropping = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (!done) {
      total += value.byteLength;
      if (total > max) {
        await reader.cancel().catch(() => {});
        throw new TooLarge();
      }
      if (!dropping) chunks.push(value);
    }
    if (!looked && (done || total >= head!.bytes)) {
      looked = true;
      dropping = await head!.stop(join(chunks, total));
      if (dropping) chunks.length = 0;
    }
    if (done) break;
  }
  if (dropping) throw new Stopped();
  return join(chunks, total);
}

function join(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}
