// A Bloom filter over keys that are hashes already (dedupe keys: 16 bytes of SHA-256, as hex or as the bytes): the four
// probes are the key's own four 32-bit words, so nothing is hashed again. It may say a key is there when
// it is not (about 0.2% of absent keys at its fullest), never the reverse. It grows by segments of
// 2^20 keys, 2 MB each, so it needs no size up front. Runtime-neutral.

/** A key's length in bytes. */
const KEY_BYTES = 16;
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
    this.remember(probe(hex, at), probe(hex, at + 8), probe(hex, at + 16), probe(hex, at + 24));
  }

  /** Remembers every key of `keys`: 16-byte keys end to end (a build reads them so, with no hex to parse). */
  addBytes(keys: Uint8Array) {
    for (let at = 0; at + KEY_BYTES <= keys.length; at += KEY_BYTES) this.remember(word(keys, at), word(keys, at + 4), word(keys, at + 8), word(keys, at + 12));
  }

  private remember(a: number, b: number, c: number, d: number) {
    if (this.lastKeys === SEGMENT_KEYS) {
      this.segments.push((this.last = new Uint32Array(SEGMENT_BITS / 32)));
      this.lastKeys = 0;
    }
    const bits = this.last!;
    bits[a >>> 5] |= 1 << (a & 31);
    bits[b >>> 5] |= 1 << (b & 31);
    bits[c >>> 5] |= 1 << (c & 31);
    bits[d >>> 5] |= 1 << (d & 31);
    this.lastKeys++;
    this.size++;
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

  /** Its segments end to end, to be kept (`KeyFilter.of` takes them back with the size). */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.bytes);
    this.segments.forEach((bits, i) => out.set(new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength), i * (SEGMENT_BITS / 8)));
    return out;
  }

  /** The filter `toBytes` gave these bytes for, holding `size` keys; null when they cannot be one. */
  static of(size: number, bytes: Uint8Array): KeyFilter | null {
    const segment = SEGMENT_BITS / 8;
    if (!Number.isInteger(size) || size < 0 || bytes.length !== Math.ceil(size / SEGMENT_KEYS) * segment) return null;
    const f = new KeyFilter();
    for (let at = 0; at < bytes.length; at += segment) {
      // copied: the bytes read from the database need not be aligned for 32-bit words
      const bits = new Uint32Array(segment / 4);
      new Uint8Array(bits.buffer).set(bytes.subarray(at, at + segment));
      f.segments.push((f.last = bits));
    }
    f.size = size;
    f.lastKeys = size === 0 ? SEGMENT_KEYS : size - (f.segments.length - 1) * SEGMENT_KEYS;
    return f;
  }
}

/** The bit a key's 32-bit word at hex digit `at` names in a segment (read in place, without a substring). */
function probe(hex: string, at: number): number {
  let v = 0;
  for (let i = at; i < at + 8; i++) {
    const c = hex.charCodeAt(i);
    v = v * 16 + (c <= 57 ? c - 48 : (c | 32) - 87);
  }
  return v % SEGMENT_BITS;
}
/** The same bit from the key's bytes: its big-endian 32-bit word at byte `at`. */
const word = (keys: Uint8Array, at: number) => (((keys[at] << 24) | (keys[at + 1] << 16) | (keys[at + 2] << 8) | keys[at + 3]) >>> 0) % SEGMENT_BITS;
const isSet = (bits: Uint32Array, b: number) => (bits[b >>> 5] & (1 << (b & 31))) !== 0;
