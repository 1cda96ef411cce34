// Reading a byte stream whole, with an optional cap (request bodies) — one place for both users.

/** Thrown by readAll when the stream passes `max` bytes (the stream is cancelled). */
export class TooLarge extends Error {}

export async function readAll(stream: ReadableStream<Uint8Array> | null, max = Infinity): Promise<Uint8Array> {
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
