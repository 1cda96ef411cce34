// POST /2/httpapi: Amplitude's ingestion door (see lib/ingest/http.ts).
import { ingestionRoute } from '@/lib/server/ingest-route';

export const dynamic = 'force-dynamic';

export const { POST, OPTIONS } = ingestionRoute('/2/httpapi');
