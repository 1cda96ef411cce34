import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readAll, Stopped } from '../util/bytes';
import { HEAD_BYTES, KeyGate, leadingApiKey } from './key-gate';

const enc = (s: string) => new TextEncoder().encode(s);

describe('leadingApiKey', () => {
  it('reads the key the SDKs put first, in JSON, gzip and form bodies', async () => {
    expect(await leadingApiKey('/2/httpapi', enc(' {"api_key": "k1", "events": ['), '')).toBe('k1');
    expect(await leadingApiKey('/batch', gzipSync(`{"api_key":"k2","events":[${'{},'.repeat(5000)}{}]}`), 'gzip')).toBe('k2');
    expect(await leadingApiKey('/', enc('checksum=x&client=k%203&e=%5B%5D'), '')).toBe('k 3');
    expect(await leadingApiKey('/identify', enc('api_key=k4&identification=%7B%7D'), 'identity')).toBe('k4');
  });

  it('gives null when the key is not at the head, escaped, cut off or the body unreadable', async () => {
    expect(await leadingApiKey('/2/httpapi', enc('{"events":[],"api_key":"k1"}'), '')).toBeNull();
    expect(await leadingApiKey('/2/httpapi', enc('{"api_key":"k\\u0031","events":[]}'), '')).toBeNull();
    expect(await leadingApiKey('/2/httpapi', enc('{"api_key":"k1"}'), 'br')).toBeNull();
    expect(await leadingApiKey('/2/httpapi', enc('not gzip'), 'gzip')).toBeNull();
    // a form value the head cuts in two is not taken for the whole value
    const cut = `e=${'x'.repeat(HEAD_BYTES - 12)}&client=k1abcdefgh`;
    expect(await leadingApiKey('/', enc(cut).subarray(0, HEAD_BYTES), '')).toBeNull();
  });
});

describe('KeyGate', () => {
  it("refuses a key until the end of its second with Amplitude's 429, and no other key", () => {
    const gate = new KeyGate();
    gate.refuse('hot', 2_000);
    const r = gate.check('hot', 1_500, 3, 100);
    expect(r?.status).toBe(429);
    expect(r?.body).toMatchObject({ code: 429, error: 'Too many requests for this api_key', eps_threshold: 100, throttled_events: [0, 1, 2] });
    expect(gate.check('cool', 1_500, 3, 100)).toBeNull();
    expect(gate.check(null, 1_500, 3, 100)).toBeNull();
    expect(gate.check('hot', 2_000, 3, 100)).toBeNull();
  });
});

describe('readAll with a head check', () => {
  const streamOf = (chunks: Uint8Array[]) =>
    new ReadableStream<Uint8Array>({
      pull(c) {
        const next = chunks.shift();
        if (next) c.enqueue(next);
        else c.close();
      },
    });

  it('looks once at the head; a stop reads the rest to the end and keeps none of it', async () => {
    const seen: number[] = [];
    const read: number[] = [];
    const chunks = [enc('a'.repeat(3000)), enc('b'.repeat(3000)), enc('c'.repeat(3000))];
    const tracked = streamOf(chunks).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, c) {
          read.push(chunk.byteLength);
          c.enqueue(chunk);
        },
      }),
    );
    const head = { bytes: 4096, stop: async (h: Uint8Array) => (seen.push(h.byteLength), true) };
    await expect(readAll(tracked, Infinity, head)).rejects.toBeInstanceOf(Stopped);
    expect(seen).toEqual([6000]);
    expect(read).toEqual([3000, 3000, 3000]);
  });

  it('returns the whole body when the head check lets it through, short bodies included', async () => {
    const keep = { bytes: 4096, stop: async () => false };
    expect((await readAll(streamOf([enc('xy'), enc('z')]), Infinity, keep)).byteLength).toBe(3);
    expect((await readAll(streamOf([enc('a'.repeat(5000))]), Infinity, keep)).byteLength).toBe(5000);
  });
});
