// What store an endpoint really is, however it is spelled: `http://localhost:7480`, `http://0.0.0.0:7480`
// and `http://127.0.0.1:7480` are one server. Used for "one bucket per organisation" and to keep
// connections to public addresses unless private ones are allowed. Runtime-neutral: the host name
// resolver is handed in by the Node edge (lib/server/config.ts).
import { canonicalIp, isIp, isPublicIp } from '../net/address';
import type { EndpointPolicy } from '../net/endpoint-policy';
import { FieldError } from './fields';

export type StoreIdentity = { aws: true } | { aws: false; port: number; names: string[] };

const LOCAL = 'local-host';

function isLocal(ip: string): boolean {
  const c = canonicalIp(ip);
  return c !== null && (c.startsWith('127.') || c === '0.0.0.0' || c === '0:0:0:0:0:0:0:1' || c === '0:0:0:0:0:0:0:0');
}

/** The identity of the store behind `endpoint` ('' = AWS), refusing private addresses unless allowed. */
export async function storeIdentity(endpoint: string, policy: EndpointPolicy): Promise<StoreIdentity> {
  if (endpoint === '') return { aws: true };
  const url = new URL(endpoint);
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  // on AWS a bucket name is global: any spelling of an AWS endpoint is AWS
  if (host === 'amazonaws.com' || host.endsWith('.amazonaws.com')) return { aws: true };
  let addresses: string[];
  if (isIp(host)) addresses = [host];
  else if (host === 'localhost' || host.endsWith('.localhost')) addresses = ['127.0.0.1'];
  else addresses = policy.resolve ? await policy.resolve(host) : [];
  if (!policy.allowPrivate) {
    if (addresses.length === 0) throw new FieldError('endpoint', `The endpoint's host name ${host} does not resolve (DNS)`);
    if (addresses.some((a) => !isPublicIp(a))) {
      throw new FieldError(
        'endpoint',
        'The endpoint resolves to a private or local address. Spillway connects to public addresses only, unless the server is started with SPILLWAY_ALLOW_PRIVATE_ENDPOINTS=true (for a store on your own network).',
      );
    }
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const names = [
    ...new Set([isIp(host) ? (isLocal(host) ? LOCAL : canonicalIp(host)!) : host, ...addresses.map((a) => (isLocal(a) ? LOCAL : canonicalIp(a)!))]),
  ];
  return { aws: false, port, names };
}

/** Two endpoints that reach the same server (same port, a shared host name or address). */
export function sameStore(a: StoreIdentity, b: StoreIdentity): boolean {
  if (a.aws || b.aws) return a.aws && b.aws;
  return a.port === b.port && a.names.some((n) => b.names.includes(n));
}
