// Who is calling and how the browser reached us. The socket address comes from server.mjs
// (`x-spillway-peer`, which it overwrites on every request); X-Forwarded-* headers are believed only
// when the operator says a proxy is in front (SPILLWAY_TRUST_PROXY): otherwise any client could
// write them, rotate its address past rate limits, or forge the host of invitation links.
// Reads the environment only, no other server module: proxy.ts imports it.
import { canonicalIp, inCidr, isIp } from '../net/address';
import { appUrl, trustProxySetting } from './config';

export const PEER_HEADER = 'x-spillway-peer';

/** SPILLWAY_TRUST_PROXY: unset (no proxy), a number of proxy hops, or proxy addresses/CIDRs. */
export type TrustProxy = { hops: number } | { addresses: string[] } | null;

export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const v = (raw ?? '').trim();
  if (v === '' || v === 'false' || v === '0') return null;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > 10) throw new Error('SPILLWAY_TRUST_PROXY: at most 10 proxy hops');
    return { hops };
  }
  const addresses = v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const a of addresses) {
    const [ip, bits] = a.split('/');
    if (!isIp(ip) || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
      throw new Error(`SPILLWAY_TRUST_PROXY: "${a}" is neither a number of hops nor an IP address or CIDR`);
    }
  }
  return { addresses };
}

let trust: TrustProxy | undefined;
const trusted = () => (trust ??= parseTrustProxy(trustProxySetting()));

const forwardedFor = (request: Request) =>
  (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => isIp(x));

/**
 * The client's address, canonical, or null when unknown (served without server.mjs and no proxy
 * trusted). With N hops, the address N places from the right of [X-Forwarded-For…, socket]; with
 * proxy addresses, the rightmost address that is not one of them.
 */
export function clientIp(request: Request, t: TrustProxy = trusted()): string | null {
  const peer = request.headers.get(PEER_HEADER) || null;
  if (!t) return peer && canonicalIp(peer);
  // behind a platform's proxy there is no socket of ours: its X-Forwarded-For is the chain
  const chain = [...forwardedFor(request), ...(peer ? [peer] : [])];
  if (chain.length === 0) return null;
  let pick: string;
  if ('hops' in t) pick = chain[Math.max(0, chain.length - 1 - (peer ? t.hops : t.hops - 1))];
  else pick = [...chain].reverse().find((ip) => !t.addresses.some((c) => inCidr(ip, c))) ?? chain[0];
  return canonicalIp(pick);
}

/** Whether forwarded Host / Proto headers may be believed. */
export const proxyTrusted = () => trusted() !== null;

/** The host the browser used: Host, or X-Forwarded-Host behind a trusted proxy. */
export function requestHost(request: Request): string | null {
  return (proxyTrusted() ? request.headers.get('x-forwarded-host') : null) ?? request.headers.get('host');
}

/** Whether the browser reached us over HTTPS (directly, or at a trusted proxy). */
export function isHttps(request: Request): boolean {
  // not request.url: Next.js builds it from the client's own X-Forwarded-Proto
  if (appUrl()?.startsWith('https://')) return true;
  return proxyTrusted() && request.headers.get('x-forwarded-proto') === 'https';
}

/** The origin the browser used, for links handed to people; SPILLWAY_APP_URL wins. */
export function publicOrigin(request: Request): string {
  const configured = appUrl();
  if (configured) return configured;
  return `${isHttps(request) ? 'https' : 'http'}://${requestHost(request) ?? new URL(request.url).host}`;
}
