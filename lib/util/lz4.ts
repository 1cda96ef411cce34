// LZ4 block compression (the public LZ4 block format, behind a varint of the decoded length), for
// text kept in the database: an event's properties are compressed when it pays. Per-row zlib costs
// ~25 us to compress and ~17 us to inflate a 600-byte value (stream set-up), more than the insert; this
// costs a few microseconds each way and needs no platform API, so the export engine can read it anywhere.

const MIN_MATCH = 4;
// the format's end rules: the last 5 bytes are literals, and no match starts in the last 12
const LAST_LITERALS = 5;
const MF_LIMIT = 12;
const MAX_OFFSET = 65_535;
const HASH_LOG = 12;

// one table for every call: a slot is valid when it holds a position of this call (>= base)
const table = new Int32Array(1 << HASH_LOG);
let base = 1;

const hash4 = (src: Uint8Array, i: number) =>
  (Math.imul(src[i] | (src[i + 1] << 8) | (src[i + 2] << 16) | (src[i + 3] << 24), 2654435761) >>> (32 - HASH_LOG)) | 0;

function writeVarint(out: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[pos++] = n;
  return pos;
}

function writeLength(out: Uint8Array, pos: number, n: number): number {
  while (n >= 255) {
    out[pos++] = 255;
    n -= 255;
  }
  out[pos++] = n;
  return pos;
}

/** The worst-case size of the compressed form of `n` bytes. */
const bound = (n: number) => n + Math.ceil(n / 255) + 16 + 5;
let scratch = new Uint8Array(1 << 12);

/**
 * Compresses `src`; returns null when the result would not be at most `maxRatio` of the input (the
 * caller then keeps the plain value).
 */
export function lz4Compress(src: Uint8Array, maxRatio = 0.8): Uint8Array | null {
  const n = src.length;
  if (n < MF_LIMIT + 1) return null;
  if (base > 0x3fff0000 - n) {
    table.fill(0);
    base = 1;
  }
  const b = base;
  base += n + 1;
  // written into one buffer kept between calls; the result is a copy of the exact size
  if (scratch.length < bound(n) + 5) scratch = new Uint8Array(bound(n) + 5);
  const out = scratch;
  let op = writeVarint(out, 0, n);
  let anchor = 0;
  let ip = 0;
  const matchLimit = n - MF_LIMIT;
  const inputEnd = n - LAST_LITERALS;
  while (ip < matchLimit) {
    const h = hash4(src, ip);
    const cand = table[h] - b;
    table[h] = ip + b;
    if (
      cand < 0 ||
      ip - cand > MAX_OFFSET ||
      src[cand] !== src[ip] ||
      src[cand + 1] !== src[ip + 1] ||
      src[cand + 2] !== src[ip + 2] ||
      src[cand + 3] !== src[ip + 3]
    ) {
      ip++;
      continue;
    }
    // extend the match forwards (stopping before the literals the format keeps at the end)
    let len = MIN_MATCH;
    while (ip + len < inputEnd && src[cand + len] === src[ip + len]) len++;
    const lit = ip - anchor;
    const token = op++;
    out[token] = ((lit >= 15 ? 15 : lit) << 4) | (len - MIN_MATCH >= 15 ? 15 : len - MIN_MATCH);
    if (lit >= 15) op = writeLength(out, op, lit - 15);
    copyBytes(src, anchor, out, op, lit);
    op += lit;
    const offset = ip - cand;
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
    if (len - MIN_MATCH >= 15) op = writeLength(out, op, len - MIN_MATCH - 15);
    ip += len;
    anchor = ip;
    if (op > n * maxRatio) return null;
  }
  const lit = n - anchor;
  out[op++] = (lit >= 15 ? 15 : lit) << 4;
  if (lit >= 15) op = writeLength(out, op, lit - 15);
  out.set(src.subarray(anchor), op);
  op += lit;
  return op <= n * maxRatio ? out.slice(0, op) : null;
}

// where the last `header` or `extendLength` read ended (a tuple returned per call was an allocation
// per row of an export)
let readEnd = 0;

/** The decoded length stored in front of a compressed value; sets `readEnd` where the block starts. */
function header(src: Uint8Array): number {
  let n = 0;
  let shift = 0;
  let i = 0;
  for (;;) {
    if (i >= src.length || shift > 28) throw new Error('lz4: bad length header');
    const b = src[i++];
    n += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) {
      readEnd = i;
      return n;
    }
    shift += 7;
  }
}

/** The decoded length of a value made by lz4Compress. */
export const lz4Length = (src: Uint8Array) => header(src);

/** Copies `n` bytes: a loop for the short runs most literals are (a subarray costs more), else native. */
function copyBytes(src: Uint8Array, from: number, out: Uint8Array, to: number, n: number) {
  if (n > 32) out.set(src.subarray(from, from + n), to);
  else for (let k = 0; k < n; k++) out[to + k] = src[from + k];
}

/** A length of 15 or more goes on in bytes from `ip`, each added, until one below 255: the total; sets `readEnd`. */
function extendLength(src: Uint8Array, ip: number, n: number): number {
  let b: number;
  do {
    if (ip >= src.length) throw new Error('lz4: truncated');
    b = src[ip++];
    n += b;
  } while (b === 255);
  readEnd = ip;
  return n;
}

/**
 * Decodes a value made by lz4Compress into `out` at `at` (which must have room for lz4Length bytes).
 * Returns the position after the decoded bytes. Throws on corrupt input, never reads or writes out of bounds.
 */
export function lz4DecodeInto(src: Uint8Array, out: Uint8Array, at = 0): number {
  const n = header(src);
  let ip = readEnd;
  const end = at + n;
  if (end > out.length) throw new Error('lz4: output too small');
  let op = at;
  for (;;) {
    if (ip >= src.length) throw new Error('lz4: truncated');
    const token = src[ip++];
    let lit = token >>> 4;
    if (lit === 15) {
      lit = extendLength(src, ip, lit);
      ip = readEnd;
    }
    if (ip + lit > src.length || op + lit > end) throw new Error('lz4: corrupt literals');
    copyBytes(src, ip, out, op, lit);
    ip += lit;
    op += lit;
    if (ip === src.length) break;
    if (ip + 2 > src.length) throw new Error('lz4: truncated');
    const offset = src[ip] | (src[ip + 1] << 8);
    ip += 2;
    let len = token & 15;
    if (len === 15) {
      len = extendLength(src, ip, len);
      ip = readEnd;
    }
    len += MIN_MATCH;
    let from = op - offset;
    if (offset === 0 || from < at || op + len > end) throw new Error('lz4: corrupt match');
    if (offset >= len && len > 32) {
      out.copyWithin(op, from, from + len);
      op += len;
    } else if (offset === 1) {
      // a run of one byte
      out.fill(out[from], op, op + len);
      op += len;
    } else {
      // byte by byte: most matches in text are short (a native copy costs more), and an overlapping
      // one produces the bytes it copies
      for (const stop = op + len; op < stop;) out[op++] = out[from++];
    }
  }
  if (op !== end) throw new Error('lz4: length mismatch');
  return op;
}

/** Decodes a value made by lz4Compress. */
export function lz4Decompress(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(lz4Length(src));
  lz4DecodeInto(src, out, 0);
  return out;
}
