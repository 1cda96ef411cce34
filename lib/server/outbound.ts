// Outbound connections only to public addresses (unless SPILLWAY_ALLOW_PRIVATE_ENDPOINTS=true): every
// fetch of this process connects through a dispatcher that checks the address it is about to dial,
// after DNS, so a name that resolves to 127.0.0.1 or 169.254.169.254 (or rebinds to it) is refused.
import { lookup } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, buildConnector, setGlobalDispatcher } from 'undici';
import { isPublicIp } from '../net/address';
import type { EndpointPolicy } from '../net/endpoint-policy';

class PrivateAddress extends Error {
  readonly code = 'SPILLWAY_PRIVATE_ADDRESS';
  constructor(address: string) {
    super(`refused to connect to the private or local address ${address}`);
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | { address: string; family: number }[], family?: number) => void;

/** dns.lookup that fails for any non-public address among the answers. */
function publicLookup(hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback) {
  lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = addresses.find((a) => !isPublicIp(a.address));
    if (bad) return callback(new PrivateAddress(bad.address) as NodeJS.ErrnoException, []);
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  });
}

let installed = false;

/**
 * Installs the guard for every fetch of this process (once; a no-op when private endpoints are
 * allowed). The archive the operator configured (SPILLWAY_ARCHIVE_URL) may be anywhere.
 */
export function guardOutboundConnections(allowPrivate: boolean, archiveEndpoint: string | undefined) {
  if (installed || allowPrivate) return;
  installed = true;
  const connect = buildConnector({ lookup: publicLookup } as Parameters<typeof buildConnector>[0]);
  const direct = buildConnector({});
  const trusted = archiveEndpoint ? new URL(archiveEndpoint).hostname : null;
  setGlobalDispatcher(
    new Agent({
      connect: (opts, callback) => {
        if (opts.hostname === trusted) return direct(opts, callback);
        // an IP literal is dialled without a lookup: check it here
        if (isIP(opts.hostname.replace(/^\[|\]$/g, '')) && !isPublicIp(opts.hostname)) return callback(new PrivateAddress(opts.hostname), null);
        return connect(opts, callback);
      },
    }),
  );
}

/** The policy the connection rules apply to endpoints users enter. */
export function endpointPolicy(allowPrivate: boolean): EndpointPolicy {
  return {
    allowPrivate,
    resolve: (host) => new Promise((resolve) => lookup(host, { all: true }, (err, a) => resolve(err ? [] : a.map((x) => x.address)))),
  };
}
