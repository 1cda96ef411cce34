// The cron door (Vercel-style hosts): `Authorization: Bearer $CRON_SECRET`, compared in constant time.
import type { Db } from '../db/types';
import { AppError } from '../util/errors';
import { runTickOnce } from './scheduler';
import { cronSecret } from './config';
import { bearerMatches } from '../util/secret';

export class CronRefused extends AppError {}

/** One budgeted export tick for an authorised cron call; CronRefused otherwise. */
export async function cronTick(db: Db, authorization: string | null, secret = cronSecret()) {
  if (!secret) throw new CronRefused('busy', 'CRON_SECRET is not set on the server');
  if (!(await bearerMatches(authorization, secret))) throw new CronRefused('unauthorized', 'Unauthorized');
  return runTickOnce(db, 45_000);
}
