// Amplitude's Export API (lib/pull/export-api.ts): Basic auth with the project's API key and secret key.
import { exportArchive } from '@/lib/pull/export-api';
import { errorResponse } from '@/lib/server/api';
import { getDb } from '@/lib/server/database';
import { sealStore } from '@/lib/server/seal-store';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const q = new URL(request.url).searchParams;
  try {
    const a = await exportArchive(await getDb(), sealStore(), {
      start: q.get('start'),
      end: q.get('end'),
      authorization: request.headers.get('authorization'),
    });
    return new Response(a.body, {
      headers: {
        'content-type': 'application/zip',
        'content-disposition': `attachment; filename="${a.filename}"`,
        'cache-control': 'no-store',
      },
    });
  } catch (e) {
    const res = errorResponse(e);
    if (res.status === 401) res.headers.set('www-authenticate', 'Basic realm="Amplitude Export API", charset="UTF-8"');
    return res;
  }
}
