// Prometheus metrics (lib/server/metrics.ts), for a scraper that presents SPILLWAY_METRICS_TOKEN.
import { errorResponse } from '@/lib/server/api';
import { getDb } from '@/lib/server/database';
import { scrape } from '@/lib/server/metrics';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  try {
    const m = await scrape(await getDb(), request.headers.get('authorization'));
    return new Response(m.text, { headers: { 'content-type': m.contentType, 'cache-control': 'no-store' } });
  } catch (e) {
    return errorResponse(e);
  }
}
