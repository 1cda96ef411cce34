// IP address rules, on plain strings (runtime-neutral): which addresses are public, and CIDR matching
// for trusted proxies. IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it maps.

/** The address as 4 or 16 bytes, or null when it is not an IP literal. */
export function ipBytes(ip: string): number[] | null {
  const s = ip
    .trim()
    .replace(/^\[|\]$/g, '')
    .split('%')[0];
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const b = s.split('.').map(Number);
    return b.every((x) => x <= 255) ? b : null;
  }
  if (!s.includes(':')) return null;
  // an embedded IPv4 tail (::ffff:1.2.3.4)
  let head = s;
  let tail: number[] = [];
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (v4) {
    const b = ipBytes(v4[1]);
    if (!b) return null;
    tail = b;
    head = s.slice(0, -v4[1].length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  const total = 8 - tail.length / 2;
  const missing = total - left.length - right.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  const words = [...left, ...Array(missing).fill('0'), ...right];
  if (words.some((w) => !/^[0-9a-f]{1,4}$/i.test(w))) return null;
  return [...words.flatMap((w) => [parseInt(w, 16) >> 8, parseInt(w, 16) & 255]), ...tail];
}

/** IPv4-mapped and IPv4-compatible IPv6 addresses as their IPv4 bytes. */
function unmap(b: number[]): number[] {
  if (b.length === 16 && b.slice(0, 10).every((x) => x === 0) && ((b[10] === 255 && b[11] === 255) || (b[10] === 0 && b[11] === 0 && b[12] !== 0)))
    return b.slice(12);
  return b;
}

const startsWith = (b: number[], head: number[]) => head.every((x, i) => b[i] === x);

/**
 * The IPv4 addresses an IPv6 address carries, by the standard ways to tunnel or translate to IPv4
 * (each may reach the IPv4 address on some network): mapped and compatible (unmap), SIIT-translated
 * ::ffff:0:a.b.c.d, NAT64 64:ff9b::a.b.c.d, 6to4 2002:AABB:CCDD::, and Teredo 2001:0:SERVER::~CLIENT.
 */
function embeddedV4(b: number[]): number[][] {
  if (b.length !== 16) return [];
  const out: number[][] = [];
  if (b.slice(0, 8).every((x) => x === 0) && b[8] === 255 && b[9] === 255 && b[10] === 0 && b[11] === 0) out.push(b.slice(12));
  if (startsWith(b, [0x00, 0x64, 0xff, 0x9b])) out.push(b.slice(12));
  if (startsWith(b, [0x20, 0x02])) out.push(b.slice(2, 6));
  if (startsWith(b, [0x20, 0x01, 0x00, 0x00]))
    out.push(
      b.slice(4, 8),
      b.slice(12).map((x) => x ^ 0xff),
    );
  return out;
}

export function isIp(s: string): boolean {
  return ipBytes(s) !== null;
}

/** The canonical text of an IP (IPv4 dotted, IPv6 as bytes in hex), or null. */
export function canonicalIp(ip: string): string | null {
  const b = ipBytes(ip);
  if (!b) return null;
  const u = unmap(b);
  if (u.length === 4) return u.join('.');
  return Array.from({ length: 8 }, (_, i) => ((u[2 * i] << 8) | u[2 * i + 1]).toString(16)).join(':');
}

const V4_PRIVATE: [number[], number][] = [
  [[0, 0, 0, 0], 8], // "this network", 0.0.0.0 reaches the local host
  [[10, 0, 0, 0], 8],
  [[100, 64, 0, 0], 10], // carrier-grade NAT
  [[127, 0, 0, 0], 8],
  [[169, 254, 0, 0], 16], // link-local, cloud metadata (169.254.169.254)
  [[172, 16, 0, 0], 12],
  [[192, 0, 0, 0], 24],
  [[192, 168, 0, 0], 16],
  [[198, 18, 0, 0], 15],
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4], // reserved, broadcast
];
const V6_PRIVATE: [number[], number][] = [
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 127], // :: and ::1
  [[0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48], // local-use NAT64 (RFC 8215): any IPv4 of the local network
  [[0xfc], 7], // unique-local
  [[0xfe, 0x80], 10], // link-local
  [[0xfe, 0xc0], 10], // site-local (deprecated)
  [[0xff], 8], // multicast
  [[0x20, 0x01, 0x0d, 0xb8], 32], // documentation
];

function inPrefix(b: number[], net: number[], bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if (((b[byte] ?? 0) & mask) !== ((net[byte] ?? 0) & mask)) return false;
  }
  return true;
}

/** True for an address on the public internet: not loopback, private, link-local, unique-local, … */
export function isPublicIp(ip: string): boolean {
  const b = ipBytes(ip);
  if (!b) return false;
  const u = unmap(b);
  if (embeddedV4(u).some((v4) => !isPublicIp(v4.join('.')))) return false;
  return !(u.length === 4 ? V4_PRIVATE : V6_PRIVATE).some(([net, bits]) => inPrefix(u, net, bits));
}

/** `ip` inside `cidr` (`10.0.0.0/8`, `::1`, a bare address = one host). */
export function inCidr(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/');
  const a = ipBytes(ip);
  const n = ipBytes(net);
  if (!a || !n) return false;
  const ua = unmap(a);
  const un = unmap(n);
  if (ua.length !== un.length) return false;
  const bits = bitsText === undefined ? ua.length * 8 : Number(bitsText);
  return Number.isInteger(bits) && bits >= 0 && bits <= ua.length * 8 && inPrefix(ua, un, bits);
}
