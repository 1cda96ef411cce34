import { getDb } from '@/lib/server/database';
import { json } from '@/lib/server/api';
import { cronTick } from '@/lib/server/cron';
import { AppError } from '@/lib/util/errors';

export const dynamic = 'force-dynamic';
export const maxDuration = 60;

/** One budgeted export tick, for Vercel-style crons. */
export async function GET(request: Request) {
  try {
    return json(await cronTick(await getDb(), request.headers.get('authorization')));
  } catch (e) {
    if (e instanceof AppError) return json({ error: e.message }, e.status);
    console.error('cron tick failed:', (e as Error)?.message ?? e);
    return json({ error: 'Tick failed' }, 500);
  }
}
