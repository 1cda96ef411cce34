// The route handlers of every ingestion door: POST stores, OPTIONS answers the CORS preflight.
import { getDb } from '../db/client';
import { preflight } from '../ingest/cors';
import { handleIngest, type IngestDoor } from '../ingest/http';
import { ingestOptions } from './config';
import { ingestThreads } from './ingest-workers';
import { clientIp } from './request';

export function ingestionRoute(door: IngestDoor) {
  return {
    POST: async (request: Request) => handleIngest(await getDb(), request, door, clientIp(request), { ...ingestOptions(), ingest: ingestThreads() }),
    OPTIONS: async (request: Request) => preflight(request),
  };
}
