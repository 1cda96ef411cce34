// Node-only start-up: migrations, optional first admin from env, the in-process scheduler.
import { createFirstAdmin, hasAnyUser } from '../auth/accounts';
import { getDatabase } from './database';
import { allowPrivateEndpoints, archiveSettings, bootSettings } from './config';
import { geoData } from './geoip';
import { ingestThreads } from './ingest-workers';
import { guardOutboundConnections } from './outbound';
import { startScheduler } from './scheduler';
import { registerShutdown } from './shutdown';

export async function boot() {
  guardOutboundConnections(allowPrivateEndpoints(), archiveSettings()?.endpoint);
  const { db, url } = await getDatabase();
  console.log(`spillway: database ready (${url.startsWith('file:') ? url : url.replace(/\/\/.*@/, '//***@')})`);
  const settings = bootSettings();
  const admin = settings.firstAdmin;
  if (admin && !(await hasAnyUser(db))) {
    const { org, project } = await createFirstAdmin(db, admin);
    console.log(`spillway: created organisation ${org.id} with admin ${admin.email} and project ${project.id} (api key ${project.apiKey})`);
  }
  // read once here, not by the first request: ingestion's threads share it
  geoData();
  // started here, not by the first request: the writing thread builds the dedupe filter meanwhile
  ingestThreads();
  registerShutdown(db);
  if (settings.scheduler) startScheduler(db);
}
