// The dedupe window's hourly prune against a write that ingestion would make meanwhile: a table of N
// insert ids (a seventh of them past the window, as after a day), pruned by one DELETE (the old way,
// in the same run) and by pruneInsertIds, while another writer takes the write lock every 5 ms.
// Prints each one's wall time and the writer's worst wait. Usage: npm run bench:prune [-- --keys 2400000]
import { openDatabase } from '../lib/db/client';
import { withWriteLock } from '../lib/db/write';
import { DEDUPE_WINDOW_MS, pruneInsertIds } from '../lib/ingest/dedupe';
import { freshDbUrl } from '../test/support/db';
import { arg, fmt, table } from './measure';

const N = Number(arg('keys', '2400000'));
const now = Date.now();

async function filled() {
  const database = await openDatabase({ url: freshDbUrl() });
  const key = new Uint8Array(16);
  for (let i = 0; i < N; i += 10_000) {
    const rows: unknown[] = [];
    for (let j = i; j < Math.min(N, i + 10_000); j++) {
      crypto.getRandomValues(key);
      rows.push(1, new Uint8Array(key), j % 7 === 0 ? now - DEDUPE_WINDOW_MS - 1_000 : now);
    }
    const n = rows.length / 3;
    await database.client.execute({
      sql: `insert into dedupe_ids (project_id, key, seen_at) values ${Array(n).fill('(?, ?, ?)').join(', ')}`,
      args: rows as never,
    });
  }
  return database;
}

/** Runs `prune` while a writer takes the lock every 5 ms; returns the prune's time and the writer's worst wait. */
async function measure(prune: (db: Awaited<ReturnType<typeof filled>>) => Promise<unknown>) {
  const database = await filled();
  let done = false;
  let worst = 0;
  // the time between two of its writes, less its 5 ms pause: the native driver is synchronous, so a long
  // statement holds the whole event loop, not just the lock (a wait timed from inside would miss it)
  const writer = (async () => {
    let last = performance.now();
    while (!done) {
      await withWriteLock(database.db, () => database.client.execute('update projects set name = name where id = 1'));
      const t = performance.now();
      worst = Math.max(worst, t - last - 5);
      last = t;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const t = performance.now();
  await prune(database);
  const ms = performance.now() - t;
  // the writer's next write after the prune counts too
  await new Promise((r) => setTimeout(r, 50));
  done = true;
  await writer;
  const left = Number((await database.client.execute('select count(*) as n from dedupe_ids')).rows[0].n);
  database.close();
  return { ms, worst, left };
}

const rows: Record<string, string | number>[] = [];
const one = await measure((d) =>
  withWriteLock(d.db, () => d.client.execute({ sql: 'delete from dedupe_ids where seen_at < ?', args: [now - DEDUPE_WINDOW_MS] })),
);
rows.push({ prune: 'one DELETE (before)', keys: N, 'keys left': one.left, 'wall s': fmt(one.ms / 1000, 2), "a writer's worst wait ms": fmt(one.worst, 0) });
const stepped = await measure((d) => pruneInsertIds(d.db, now));
rows.push({
  prune: 'pruneInsertIds, 2,000-key steps',
  keys: N,
  'keys left': stepped.left,
  'wall s': fmt(stepped.ms / 1000, 2),
  "a writer's worst wait ms": fmt(stepped.worst, 0),
});
table(rows);
