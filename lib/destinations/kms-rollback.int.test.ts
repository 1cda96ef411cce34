// KMS rollback puts the files back as the old connection writes them (issue: after rolling back, the
// hours the new connection had re-exported stayed encrypted with key K, and step 5 offered to delete
// K). The running app over HTTP, its cron door, real radosgw doing SSE-KMS.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bucketPolicy } from './policy';
import { floorHour, HOUR_MS } from '../util/hours';
import { type RunningApp } from '../../test/support/app';
import { exportEverything, type Api } from '../../test/support/app-api';
import { ingestAt, rgwDestination, sampleEvents } from '../../test/support/engine';
import { headObject, listKeys, newBucket, rgwEnv, serverIdentityEnv, setBucketPolicy } from '../../test/support/rgw';
import { adminApi, startSeededApp, stopSeededApp, type SeededApp } from '../../test/support/seeded-app';

const CRON_SECRET = 'kms-rollback-cron-secret-0123456789';
const H = floorHour(Date.now()) - 2 * HOUR_MS;
let app: RunningApp;
let bucket: string;
let oldId: number;
let api: Api;
let current: ReturnType<typeof bucketPolicy>;

let setup: SeededApp;

beforeAll(async () => {
  setup = await startSeededApp('kmsrb', { CRON_SECRET, EXPORT_GRACE_MS: '0', ...serverIdentityEnv('user2') }, async (db, seed) => {
    await ingestAt(db, seed.project.apiKey!, sampleEvents(25, 'kms'), H + 60_000);
    bucket = await newBucket('kms-rollback');
    current = bucketPolicy({ bucket, prefix: '', principal: rgwEnv().user2.arn });
    await setBucketPolicy(bucket, current);
    oldId = (await rgwDestination(db, { orgId: seed.org.id, projectId: seed.project.id, bucket, createdBy: seed.admin.id }, H - HOUR_MS)).id;
  });
  ({ app } = setup);
  api = await adminApi(setup);
});
afterAll(() => stopSeededApp(setup));

const exportAll = () => exportEverything(app, CRON_SECRET);
const fileOfH = async () =>
  (await listKeys(bucket)).find((k) => k.endsWith(`_${new Date(H).toISOString().slice(0, 10)}_${new Date(H).getUTCHours()}#1.json.gz`))!;
const keyOf = async (key: string) => (await headObject(bucket, key)).SSEKMSKeyId ?? null;

interface View {
  state: string;
  reencrypted: { from: number; to: number; hours: number; backfillId: number | null; done: boolean } | null;
}

it('rolls back with the hours the new connection encrypted written again without the key, and says when the key may go', async () => {
  const kms = rgwEnv().kmsKeyId;
  await exportAll();
  const file = await fileOfH();
  expect(await keyOf(file)).toBeNull();

  // migrate: the new connection exports the same hours again, with the key
  const { id } = await api<{ id: number }>('POST', `/api/destinations/${oldId}/migration`);
  await api('POST', `/api/migrations/${id}/action`, { action: 'disable-old' });
  const policies = await api<{ bucketPolicy: unknown }>('POST', `/api/migrations/${id}/policies`, { kmsKeyArn: kms });
  await setBucketPolicy(bucket, policies.bucketPolicy);
  await api('POST', `/api/migrations/${id}/connect`, { kmsKeyArn: kms });
  await exportAll();
  expect(await keyOf(file)).toBe(kms);

  // roll back as the checklist says
  let v = await api<View>('POST', `/api/migrations/${id}/action`, { action: 'remove-new' });
  expect(v.reencrypted).toMatchObject({ from: expect.any(Number), backfillId: null, done: false });
  expect(v.reencrypted!.from).toBeLessThanOrEqual(H);
  expect(v.reencrypted!.to).toBeGreaterThan(H);
  await setBucketPolicy(bucket, current);
  await api('PATCH', `/api/migrations/${id}`, { step: 'r2', done: true });
  await api('PATCH', `/api/migrations/${id}`, { step: 'r3', done: true });
  v = await api<View>('POST', `/api/migrations/${id}/action`, { action: 'enable-old' });
  expect(v.state).toBe('rolled_back');
  expect(v.reencrypted).toMatchObject({ backfillId: expect.any(Number), done: false });

  await exportAll();
  // every file is back as the old connection writes it: no file needs the key any more
  for (const key of await listKeys(bucket)) expect(await keyOf(key), key).toBeNull();
  v = await api<View>('GET', `/api/migrations/${id}`);
  expect(v.reencrypted).toMatchObject({ done: true, hours: (v.reencrypted!.to - v.reencrypted!.from) / HOUR_MS });
});
