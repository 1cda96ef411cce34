// In-process scheduler for `next start`: runs one budgeted tick at a time on an interval, then sends
// queued emails. Several app instances may run it at once: jobs are claimed with leases.
import type { Db } from '../db/types';
import { tick, type TickSummary } from '../jobs/tick';
import { pruneInsertIds } from '../ingest/dedupe';
import { recountDeviceLevels } from '../ingest/identity-store';
import { reclaimFreePages } from '../db/free-pages';
import { drainOutbox, smtpTransport } from '../notify/mailer';
import { deliverWebhooks } from '../notify/webhooks';
import { schedulerSettings, serverConfig, smtpSettings } from './config';
import { heartbeat, thisInstance } from './instance';
import { engineObserver } from './metrics';

let started = false;
let running: Promise<unknown> | null = null;

export async function runTickOnce(db: Db, budgetMs?: number): Promise<TickSummary & { emailsSent: number }> {
  const config = serverConfig();
  const started = Date.now();
  const summary = await tick(db, config, { budgetMs: budgetMs ?? schedulerSettings().budgetMs, observe: engineObserver });
  const emailsSent = await drainOutbox(db, smtpTransport(smtpSettings()));
  await deliverWebhooks(db);
  // ingestion's upkeep rides on the same clock: insert ids past the dedupe window and the devices'
  // level counts, once an hour
  const me = thisInstance();
  if (started - me.lastPruneAt > 3_600_000) {
    me.lastPruneAt = started;
    await pruneInsertIds(db, started);
    await recountDeviceLevels(db);
    await reclaimFreePages(db, Date.now() + 10_000);
  }
  await heartbeat(db, started);
  return { ...summary, emailsSent };
}

export function startScheduler(db: Db) {
  if (started) return;
  started = true;
  thisInstance().schedulerOn = true;
  const { intervalMs } = schedulerSettings();
  const run = () => {
    if (running) return;
    running = runTickOnce(db)
      .then((s) => {
        if (s.jobs > 0 || s.planned > 0)
          console.log(
            `spillway: tick planned=${s.planned} jobs=${s.jobs} done=${s.done} retried=${s.retried} failed=${s.failed} parts=${s.parts} events=${s.events}`,
          );
      })
      .catch((e) => console.error('spillway: tick failed:', (e as Error)?.message ?? e))
      .finally(() => (running = null));
  };
  setTimeout(run, 2_000).unref?.();
  setInterval(run, intervalMs).unref?.();
  console.log(`spillway: export scheduler running every ${Math.round(intervalMs / 1000)} s`);
}
