// POST / from amplitude-js 8.x and the legacy mobile SDKs, rewritten here by proxy.ts (GET / stays the app).
import { ingestionRoute } from '@/lib/server/ingest-route';

export const dynamic = 'force-dynamic';

export const { POST, OPTIONS } = ingestionRoute('/');
