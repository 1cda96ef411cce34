// Webhooks (issue: alerts where operators look): two app instances on one database, each ticking on its
// own, and a receiver on loopback. A bucket that refuses the export gives each webhook one signed
// "export_failed" and one "hour_overdue"; fixing it gives one "export_recovered". A Slack-compatible
// webhook gets {"text": …}. A URL on a private address is refused unless private endpoints are allowed.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../test/support/app';
import { signInApi } from '../../test/support/app-api';
import { freshDbUrl } from '../../test/support/db';
import { ingestAt, rgwDestination } from '../../test/support/engine';
import { newBucket, rgwEnv, serverIdentityEnv, setBucketPolicy } from '../../test/support/rgw';
import { seedOrg, type Seed } from '../../test/support/seed';
import { openDatabase, type Database } from '../db/client';
import { bucketPolicy } from '../destinations/policy';
import { floorHour, HOUR_MS } from '../util/hours';
import { addWebhook } from './webhooks';

const H = floorHour(Date.now()) - 3 * HOUR_MS;
let database: Database;
let seed: Seed;
let apps: RunningApp[] = [];
let receiver: Server;
let bucket: string;
let destinationId: number;
const received: { path: string; event: string; body: string; signature: string }[] = [];
const secrets: Record<string, string> = {};

async function until(what: () => boolean, ms = 60_000) {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out; received: ${JSON.stringify(received.map((r) => [r.path, r.event]))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const of = (path: string, event: string) => received.filter((r) => r.path === path && r.event === event);

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ path: req.url!, event: String(req.headers['x-spillway-event']), body, signature: String(req.headers['x-spillway-signature']) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const url = freshDbUrl();
  database = await openDatabase({ url });
  seed = await seedOrg(database.db, 'hooks');
  for (const [path, format] of [
    ['/json', 'json'],
    ['/slack', 'slack'],
  ] as const)
    secrets[path] = (await addWebhook(database.db, seed.org.id, { url: `${base}${path}`, format }, { allowPrivate: true })).secret;
  // the server's identity may delete but not write: the export fails
  bucket = await newBucket('hooks');
  const refusing = bucketPolicy({ bucket, prefix: '', principal: rgwEnv().user2.arn });
  refusing.Statement[1].Action = ['s3:DeleteObject'];
  await setBucketPolicy(bucket, refusing);
  await ingestAt(database.db, seed.project.apiKey!, [{ user_id: 'hook-user', event_type: 'x', device_id: 'hook-device' }], H + 60_000);
  destinationId = (await rgwDestination(database.db, { orgId: seed.org.id, projectId: seed.project.id, bucket, createdBy: seed.admin.id }, H - HOUR_MS)).id;
  const env = {
    DATABASE_URL: url,
    SPILLWAY_SCHEDULER: 'on',
    SPILLWAY_TICK_INTERVAL_MS: '1000',
    SPILLWAY_OVERDUE_HOURS: '1',
    EXPORT_GRACE_MS: '0',
    EXPORT_RETRY_BASE_MS: '0',
    EXPORT_MAX_TRIES: '1',
    ...serverIdentityEnv('user2'),
  };
  apps = await Promise.all([startApp(env), startApp(env)]);
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  await new Promise((r) => receiver?.close(r));
  database?.close();
});

it('tells each webhook once, signed, that the export failed and that an hour is overdue, then that it recovered', async () => {
  await until(() => ['/json', '/slack'].every((p) => of(p, 'export_failed').length > 0 && of(p, 'hour_overdue').length > 0));
  // both instances keep ticking: nothing is sent twice
  await new Promise((r) => setTimeout(r, 3_000));
  for (const p of ['/json', '/slack']) {
    expect(of(p, 'export_failed')).toHaveLength(1);
    expect(of(p, 'hour_overdue')).toHaveLength(1);
  }
  const failed = JSON.parse(of('/json', 'export_failed')[0].body);
  expect(failed).toMatchObject({ event: 'export_failed', destination: { id: destinationId, bucket }, error: { permission: 's3:PutObject' } });
  // the connection's oldest hour not exported (the empty hour before H fails too: its manifest is refused)
  const overdue = JSON.parse(of('/json', 'hour_overdue')[0].body);
  expect(overdue).toMatchObject({ event: 'hour_overdue', destination: { id: destinationId } });
  expect(Date.parse(overdue.hour)).toBeLessThanOrEqual(H);
  expect(Object.keys(JSON.parse(of('/slack', 'export_failed')[0].body))).toEqual(['text']);
  expect(JSON.parse(of('/slack', 'export_failed')[0].body).text).toMatch(/s3:PutObject/);

  // the fix, then the failed hour again (the page's "Retry failed hours")
  await setBucketPolicy(bucket, bucketPolicy({ bucket, prefix: '', principal: rgwEnv().user2.arn }));
  const call = await signInApi(apps[0], seed.admin.email, seed.password);
  await call('POST', `/api/destinations/${destinationId}/retry`, {});
  await until(() => ['/json', '/slack'].every((p) => of(p, 'export_recovered').length > 0));
  await new Promise((r) => setTimeout(r, 3_000));
  for (const p of ['/json', '/slack']) expect(of(p, 'export_recovered')).toHaveLength(1);
  expect(JSON.parse(of('/json', 'export_recovered')[0].body)).toMatchObject({ event: 'export_recovered', destination: { id: destinationId } });

  // every message carries the signature of its body with its webhook's secret
  for (const r of received) {
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(r.signature)!;
    expect(createHmac('sha256', secrets[r.path]).update(`${t}.${r.body}`).digest('hex')).toBe(v1);
  }
  // the Notifications page lists the messages as delivered
  const page = await call<{ deliveries: { sentAt: number | null }[] }>('GET', '/api/webhooks');
  expect(page.deliveries.length).toBe(6);
  expect(page.deliveries.every((d) => d.sentAt !== null)).toBe(true);
});

it('refuses a URL on a private address unless private endpoints are allowed', async () => {
  const policy = { allowPrivate: false, resolve: async () => ['10.0.0.7'] };
  await expect(addWebhook(database.db, seed.org.id, { url: 'http://127.0.0.1:9/x' }, policy)).rejects.toThrow(/private or local/);
  await expect(addWebhook(database.db, seed.org.id, { url: 'https://hooks.internal.example/x' }, policy)).rejects.toThrow(/private or local/);
  await expect(addWebhook(database.db, seed.org.id, { url: 'ftp://example.com/x' }, policy)).rejects.toThrow(/https/);
  await expect(addWebhook(database.db, seed.org.id, { url: 'https://user:pw@example.com/x' }, policy)).rejects.toThrow(/credentials/);
});
