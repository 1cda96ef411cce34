// The cron door (Vercel-style hosts): `Authorization: Bearer $CRON_SECRET`, compared in constant time.
import type { Db } from '../db/types';
import { AppError } from '../util/errors';
import { runTickOnce } from './scheduler';
import { cronSecret } from './config';

export class CronRefused extends AppError {}

async function sameSecret(given: string, secret: string): Promise<boolean> {
  // equal-length digests: the comparison takes the same time whatever the guess
  const [a, b] = await Promise.all(
    [given, `Bearer ${secret}`].map(async (v) => new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(v)))),
  );
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** One budgeted export tick for an authorised cron call; CronRefused otherwise. */
export async function cronTick(db: Db, authorization: string | null, secret = cronSecret()) {
  if (!secret) throw new CronRefused('busy', 'CRON_SECRET is not set on the server');
  if (!(await sameSecret(authorization ?? '', secret))) throw new CronRefused('unauthorized', 'Unauthorized');
  return runTickOnce(db, 45_000);
}
