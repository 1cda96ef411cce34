// A Bloom filter over keys that are hashes already (dedupe keys: 16 bytes of SHA-256, as hex): the four
// probes are the key's own four 32-bit words, so nothing is hashed again. It may say a key is there when
// it is not (about 0.2% of absent keys at its fullest), never the reverse. It grows by segments of
// 2^20 keys, 2 MB each, so it needs no size up front. Runtime-neutral.

/** A key's length in hex digits. */
export const KEY_DIGITS = 32;
const SEGMENT_KEYS = 1 << 20;
// 16 bits per key, 4 probes: at a segment's fullest (1 - e^(-4/16))^4 ≈ 0.24% false positives
const SEGMENT_BITS = SEGMENT_KEYS * 16;

export class KeyFilter {
  private readonly segments: Uint32Array[] = [];
  private last: Uint32Array | null = null;
  private lastKeys = SEGMENT_KEYS;
  size = 0;

  /** Remembers a key: 32 hex digits (either case) from `at` in `hex`. */
  add(hex: string, at = 0) {
    if (this.lastKeys === SEGMENT_KEYS) {
      this.segments.push((this.last = new Uint32Array(SEGMENT_BITS / 32)));
      this.lastKeys = 0;
    }
    const bits = this.last!;
    for (let i = at; i < at + KEY_DIGITS; i += 8) {
      const b = probe(hex, i);
      bits[b >>> 5] |= 1 << (b & 31);
    }
    this.lastKeys++;
    this.size++;
  }

  /** Remembers every key of a run of 32-digit hex keys written end to end (SQL's group_concat(hex(key), '')). */
  addRun(run: string) {
    for (let i = 0; i + KEY_DIGITS <= run.length; i += KEY_DIGITS) this.add(run, i);
  }

  /** False only when the key was never added. */
  has(hex: string): boolean {
    if (this.size === 0) return false;
    const a = probe(hex, 0);
    const b = probe(hex, 8);
    const c = probe(hex, 16);
    const d = probe(hex, 24);
    return this.segments.some((bits) => isSet(bits, a) && isSet(bits, b) && isSet(bits, c) && isSet(bits, d));
  }

  /** Bytes held. */
  get bytes(): number {
    return this.segments.length * (SEGMENT_BITS / 8);
  }
}

/** The bit a key's 32-bit word at hex digit `at` names in a segment (read in place: a build reads millions). */
function probe(hex: string, at: number): number {
  let v = 0;
  for (let i = at; i < at + 8; i++) {
    const c = hex.charCodeAt(i);
    v = v * 16 + (c <= 57 ? c - 48 : (c | 32) - 87);
  }
  return v % SEGMENT_BITS;
}
const isSet = (bits: Uint32Array, b: number) => (bits[b >>> 5] & (1 << (b & 31))) !== 0;
