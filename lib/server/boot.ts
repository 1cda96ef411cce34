// Node-only start-up: migrations, optional first admin from env, the in-process scheduler.
import { createFirstAdmin, hasAnyUser } from '../auth/accounts';
import { getDatabase } from '../db/client';
import { geoData } from './geoip';
import { guardOutboundConnections } from './outbound';
import { startScheduler } from './scheduler';

export async function boot() {
  guardOutboundConnections();
  const { db, url } = await getDatabase();
  console.log(`spillway: database ready (${url.startsWith('file:') ? url : url.replace(/\/\/.*@/, '//***@')})`);
  const email = process.env.SPILLWAY_ADMIN_EMAIL;
  const password = process.env.SPILLWAY_ADMIN_PASSWORD;
  if (email && password && !(await hasAnyUser(db))) {
    const { org, project } = await createFirstAdmin(db, { orgName: process.env.SPILLWAY_ORG_NAME ?? 'My organisation', email, password });
    console.log(`spillway: created organisation ${org.id} with admin ${email} and project ${project.id} (api key ${project.apiKey})`);
  }
  // read once here, not by the first request: ingestion's threads share it
  geoData();
  if (process.env.SPILLWAY_SCHEDULER !== 'off') startScheduler(db);
}
