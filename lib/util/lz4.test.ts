import { describe, expect, it } from 'vitest';
import { lz4Compress, lz4Decompress, lz4DecodeInto, lz4Length } from './lz4';

const enc = new TextEncoder();

function rng(seed: number) {
  return () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
}

describe('lz4', () => {
  it('round-trips repetitive JSON and shrinks it', () => {
    const text = JSON.stringify({ note: 'x'.repeat(300), referrer: 'https://www.example.com/campaign/7?utm_source=newsletter&utm_medium=email', a: [1, 2, 3] });
    const src = enc.encode(text);
    const z = lz4Compress(src)!;
    expect(z.length).toBeLessThan(src.length / 2);
    expect(lz4Length(z)).toBe(src.length);
    expect(new TextDecoder().decode(lz4Decompress(z))).toBe(text);
  });

  it('leaves incompressible and tiny inputs alone', () => {
    const r = rng(7);
    const noise = Uint8Array.from({ length: 500 }, () => Math.floor(r() * 256));
    expect(lz4Compress(noise)).toBeNull();
    expect(lz4Compress(enc.encode('{"a":1}'))).toBeNull();
  });

  it('round-trips random inputs of every shape (fuzz), including overlapping and long matches', () => {
    const r = rng(42);
    for (let k = 0; k < 3000; k++) {
      const len = Math.floor(r() ** 2 * 70_000);
      const alphabet = 1 + Math.floor(r() * 6);
      const src = new Uint8Array(len);
      for (let i = 0; i < len; i++) {
        // runs, copies from far back and noise
        const p = r();
        if (p < 0.6 || i < 8) src[i] = 97 + Math.floor(r() * alphabet);
        else if (p < 0.8) src[i] = src[i - 1];
        else src[i] = src[i - 1 - Math.floor(r() * Math.min(i - 1, 70_000))];
      }
      const z = lz4Compress(src, 1.1);
      if (z === null) continue;
      expect(Buffer.from(lz4Decompress(z)).equals(Buffer.from(src))).toBe(true);
    }
  });

  it('decodes into a larger buffer at an offset', () => {
    const src = enc.encode('abcabcabcabcabcabcabcabcabcabcabcabc');
    const z = lz4Compress(src)!;
    const out = new Uint8Array(100);
    expect(lz4DecodeInto(z, out, 10)).toBe(10 + src.length);
    expect(new TextDecoder().decode(out.subarray(10, 10 + src.length))).toBe('abcabcabcabcabcabcabcabcabcabcabcabc');
  });

  it('refuses corrupt input instead of reading or writing out of bounds', () => {
    const z = lz4Compress(enc.encode('hello hello hello hello hello hello hello'))!;
    const r = rng(3);
    let refused = 0;
    for (let k = 0; k < 2000; k++) {
      const bad = z.slice(0, Math.max(1, Math.floor(r() * z.length)));
      if (r() < 0.5 && bad.length > 2) bad[1 + Math.floor(r() * (bad.length - 1))] ^= 1 << Math.floor(r() * 8);
      try {
        lz4Decompress(bad);
      } catch {
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(1500);
  });
});
