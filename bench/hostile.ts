// Bounded work per ingestion request: each hostile shape (test/support/hostile.ts) posted to `next start`
// while a bystander client pings every 25 ms. Prints the time to the answer, the bystander's worst
// wait (how long the event loop was held), and the server's peak RSS. Usage: npm run bench:hostile
import { existsSync } from 'node:fs';
import { openDatabase } from '../lib/db/client';
import { startApp } from '../test/support/app';
import { freshDbUrl } from '../test/support/db';
import { hostileShapes } from '../test/support/hostile';
import { seedOrg } from '../test/support/seed';
import { fmt, hwmMb, table } from './measure';

if (!existsSync('.next/BUILD_ID')) throw new Error('build the app first: npx next build');

const url = freshDbUrl();
const { db, close } = await openDatabase({ url });
const seed = await seedOrg(db, 'hostile');
close();
const apiKey = seed.project.apiKey!;
const rows: Record<string, string | number>[] = [];
const ping = JSON.stringify({ api_key: apiKey, events: [{ device_id: 'bystander-1', event_type: 'ping' }] });

for (const shape of hostileShapes(apiKey)) {
  // a fresh server per shape, so each peak RSS is that shape's own
  const app = await startApp({ DATABASE_URL: url, INGEST_MAX_EPS_PER_API_KEY: '10000000' });
  try {
    await fetch(`${app.url}/2/httpapi`, { method: 'POST', body: ping }); // warm the route
    const idleMb = hwmMb(app.proc.pid!);
    const body = shape.body();
    let done = false;
    let worstPing = 0;
    const bystander = (async () => {
      while (!done) {
        const t = performance.now();
        await fetch(`${app.url}/2/httpapi`, { method: 'POST', body: ping });
        worstPing = Math.max(worstPing, performance.now() - t);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const t = performance.now();
    const r = await fetch(`${app.url}${shape.path}`, { method: 'POST', body });
    const answer = (await r.json()) as { error?: string };
    const ms = performance.now() - t;
    done = true;
    await bystander;
    rows.push({
      shape: shape.label,
      MB: fmt(Buffer.byteLength(body) / 1e6),
      status: r.status,
      'answer ms': fmt(ms, 0),
      'bystander worst ms': fmt(worstPing, 0),
      'server RSS MB (idle → peak)': `${fmt(idleMb, 0)} → ${fmt(hwmMb(app.proc.pid!), 0)}`,
      error: (answer.error ?? '').slice(0, 60),
    });
  } finally {
    await app.stop();
  }
}
table(rows);
