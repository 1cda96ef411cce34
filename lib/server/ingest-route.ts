// The route handlers of every ingestion door: POST stores, OPTIONS answers the CORS preflight.
import { getDb } from './database';
import { preflight } from '../ingest/cors';
import type { IngestDoor } from '../ingest/doors';
import { handleIngest } from '../ingest/http';
import { ingestOptions } from './config';
import { geoData, useGeoData } from './geoip';
import { ingestThreads } from './ingest-workers';
import { observeIngest } from './metrics';
import { clientIp } from './request';

let geoReady = false;

export function ingestionRoute(door: IngestDoor) {
  return {
    POST: async (request: Request) => {
      // requests prepared on this thread (no parsing threads) look places up here too
      if (!geoReady) {
        geoReady = true;
        useGeoData(geoData());
      }
      return handleIngest(await getDb(), request, door, clientIp(request), { ...ingestOptions(), ingest: ingestThreads(), observe: observeIngest });
    },
    OPTIONS: async (request: Request) => preflight(request),
  };
}
