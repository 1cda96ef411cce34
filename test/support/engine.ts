// Engine test helpers: ingest at a chosen time, a destination on the loopback radosgw, a config.
import type { Db } from '../../lib/db/types';
import { ingest } from '../../lib/ingest/ingest';
import { isIngestResult } from '../../lib/ingest/responses';
import { Throttle } from '../../lib/ingest/throttle';
import { validateRequest } from '../../lib/ingest/validate';
import { DEFAULT_CONFIG, type EngineConfig } from '../../lib/jobs/config';
import { createDestination, type NewDestination } from '../../lib/destinations/lifecycle';
import { rgwEnv } from './rgw';

export async function ingestAt(db: Db, apiKey: string, events: Record<string, unknown>[], at: number) {
  const req = validateRequest({ api_key: apiKey, events }, 2000);
  if (isIngestResult(req)) throw new Error(JSON.stringify(req.body));
  const r = await ingest(db, req, { path: '/batch', receivedAt: at, ip: '198.51.100.7', payloadBytes: 0, throttle: new Throttle(), clock: () => at });
  if (r.status !== 200) throw new Error(JSON.stringify(r.body));
  return r;
}

export function testConfig(over: Partial<EngineConfig> = {}): EngineConfig {
  return {
    ...DEFAULT_CONFIG,
    s3: { baseCredentials: rgwEnv().user1, streamUploads: true },
    maxTries: 3,
    retryBaseMs: 0,
    retryMaxMs: 0,
    leaseMs: 30_000,
    ...over,
  };
}

export async function rgwDestination(
  db: Db,
  o: { orgId: number; projectId: number; bucket: string; createdBy?: number } & Partial<NewDestination>,
  now = Date.now(),
) {
  return createDestination(
    db,
    { region: 'us-east-1', endpoint: rgwEnv().endpoint, forcePathStyle: true, exportEvents: true, exportMerged: false, prefix: '', ...o },
    now,
  );
}

/** `n` Amplitude-like events of about 1 KB for distinct users and devices. */
export function sampleEvents(n: number, tag = 'e'): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    user_id: `user-${tag}-${i % 97}`,
    device_id: `device-${tag}-${i % 131}`,
    event_type: ['Page Viewed', 'Song Played', 'Checkout'][i % 3],
    insert_id: `${tag}-${i}`,
    time: 1_700_000_000_000 + i,
    platform: 'Web',
    os_name: 'Chrome',
    country: 'United States',
    city: 'Portland',
    language: 'en-US',
    event_properties: {
      index: i,
      path: `/catalog/${i % 50}`,
      tags: ['a', 'b', 'c'],
      nested: { depth: { value: i * 1.5, label: 'x'.repeat(200 + (i % 300)) } },
    },
    user_properties: { $set: { plan: i % 2 ? 'pro' : 'free' }, $add: { visits: 1 } },
  }));
}
