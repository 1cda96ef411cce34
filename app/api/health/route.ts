import { getDatabase } from '@/lib/server/database';
import { json } from '@/lib/server/api';
import { checkHealth } from '@/lib/server/instance';

export const dynamic = 'force-dynamic';

/** For load balancers: 200 when the database takes a write of ingestion's size and the scheduler ticks, 503 otherwise. */
export async function GET() {
  const { db, url } = await getDatabase();
  const health = await checkHealth(db, url);
  return json(health, health.ok ? 200 : 503);
}
