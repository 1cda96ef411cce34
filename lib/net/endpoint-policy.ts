// How endpoints given by users are resolved and which may be reached (set at the Node edge from
// SPILLWAY_ALLOW_PRIVATE_ENDPOINTS; lib/destinations/endpoint.ts applies it).

/** Host name → its addresses ([] when it does not resolve). */
export type ResolveHost = (host: string) => Promise<string[]>;

export interface EndpointPolicy {
  resolve?: ResolveHost;
  /** a MinIO or Ceph on the operator's own network may be reached */
  allowPrivate: boolean;
}
