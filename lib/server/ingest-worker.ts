// A parsing thread of ingestion (bundled to .next/spillway/ingest-worker.mjs by scripts/build-workers.mjs):
// prepares requests (lib/ingest/prepare.ts) and hands them to the writing thread on its port (events in
// lib/ingest/prepared-wire.ts's form); a request refused while parsing is answered to the main thread at once.
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { IngestContext } from '../ingest/ingest';
import { prepareRequest, type RawRequest } from '../ingest/prepare';
import { packPrepared } from '../ingest/prepared-wire';
import { isIngestResult } from '../ingest/responses';
import { useGeoData, type GeoData } from './geoip';

const { writer, geo } = workerData as { writer: MessagePort; geo: GeoData | null };
// the process's GeoIP bytes, shared: this thread reads them, it does not copy them
useGeoData(geo);

parentPort!.on('message', async (m: { id: number; raw: RawRequest; ctx: IngestContext }) => {
  const prepared = await prepareRequest(m.raw);
  if (isIngestResult(prepared)) parentPort!.postMessage({ id: m.id, result: prepared });
  else if (prepared.type === 'events') {
    const { packed, buffers } = packPrepared(prepared);
    writer.postMessage({ id: m.id, prepared: packed, ctx: m.ctx }, buffers);
  } else writer.postMessage({ id: m.id, prepared, ctx: m.ctx });
});
