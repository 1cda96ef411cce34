import { getDb } from '@/lib/db/client';
import { runTickOnce } from '@/lib/server/scheduler';
import { json } from '@/lib/server/api';

export const dynamic = 'force-dynamic';
export const maxDuration = 60;

/** Constant-time comparison of the bearer token with CRON_SECRET. */
async function authorized(request: Request): Promise<boolean> {
  const secret = process.env.CRON_SECRET;
  if (!secret) return false;
  const given = request.headers.get('authorization') ?? '';
  const [a, b] = await Promise.all(
    [given, `Bearer ${secret}`].map(async (v) => new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(v)))),
  );
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** One budgeted export tick, for Vercel-style crons. */
export async function GET(request: Request) {
  if (!process.env.CRON_SECRET) return json({ error: 'CRON_SECRET is not set on the server' }, 503);
  if (!(await authorized(request))) return json({ error: 'Unauthorized' }, 401);
  try {
    return json(await runTickOnce(await getDb(), 45_000));
  } catch (e) {
    console.error('cron tick failed:', (e as Error)?.message ?? e);
    return json({ error: 'Tick failed' }, 500);
  }
}
