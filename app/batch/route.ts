import { getDb } from '@/lib/db/client';
import { handleIngest } from '@/lib/ingest/http';
import { ingestOptions } from '@/lib/server/config';
import { clientIp } from '@/lib/server/request';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  return handleIngest(await getDb(), request, '/batch', clientIp(request), ingestOptions());
}
