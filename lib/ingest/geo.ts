// Location from the sender's IP address, as Amplitude fills country, region and city on its side. The
// lookup itself is given by the Node edge (lib/server/geoip.ts: a GeoIP database read once per process
// and shared by the parsing threads); without one, nothing is filled. Runtime-neutral.

export interface Place {
  country: string;
  region?: string;
  city?: string;
}

export type GeoLookup = (ip: string) => Place | null;

let lookup: GeoLookup | null = null;

/** The lookup this thread's ingestion uses (null: none). */
export function useGeoLookup(fn: GeoLookup | null) {
  lookup = fn;
}

/** Where `ip` is, or null when it is unknown, private, or no lookup is set. */
export function placeOf(ip: string): Place | null {
  if (!lookup) return null;
  try {
    return lookup(ip);
  } catch {
    // not an address the database can read
    return null;
  }
}
