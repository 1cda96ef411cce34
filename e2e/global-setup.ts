// Starts what the e2e tests drive: radosgw, SMTP on loopback, a fresh database with one organisation,
// and `next start` with its in-process scheduler ticking every second.
import { mkdirSync, writeFileSync } from 'node:fs';
import { openDatabase } from '../lib/db/client';
import { startApp } from '../test/support/app';
import { freshDbUrl } from '../test/support/db';
import { setup as infraUp, teardown as infraDown } from '../test/support/global-setup';
import { serverIdentityEnv } from '../test/support/rgw';
import { seedOrg } from '../test/support/seed';
import { startSmtp } from '../test/support/smtp';
import { STATE_FILE, type E2EState } from './state';

export default async function globalSetup() {
  await infraUp();
  const smtp = await startSmtp();
  const dbUrl = freshDbUrl();
  const { db, close } = await openDatabase({ url: dbUrl, migrationsFolder: 'drizzle' });
  const seed = await seedOrg(db, 'e2e');
  const other = await seedOrg(db, 'other');
  close();
  const app = await startApp({
    DATABASE_URL: dbUrl,
    ...serverIdentityEnv('user2'),
    SPILLWAY_SCHEDULER: 'on',
    SPILLWAY_TICK_INTERVAL_MS: '1000',
    EXPORT_GRACE_MS: '0',
    EXPORT_RETRY_BASE_MS: '0',
    EXPORT_MAX_TRIES: '2',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Spillway <spillway@example.com>',
  });
  const state: E2EState = {
    url: app.url,
    dbUrl,
    password: seed.password,
    admin: seed.admin.email,
    member: seed.member.email,
    orgId: seed.org.id,
    projectId: seed.project.id,
    apiKey: seed.project.apiKey!,
    otherAdmin: other.admin.email,
  };
  mkdirSync('test-results', { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(state));
  return async () => {
    await app.stop();
    await smtp.close();
    await infraDown();
  };
}
