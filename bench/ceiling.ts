// The storage's own ceiling for ingestion (bench:ingest prints the ratio to it).
import Database from 'libsql';
import { openDatabase } from '../lib/db/client';
import { dedupeHash } from '../lib/db/dedupe-key';
import { CONNECTION_PRAGMAS } from '../lib/db/local-client';
import { freshDbUrl } from '../test/support/db';

const BATCH = 1000;

/**
 * Events/s of the storage alone: every row the run wrote, copied into a fresh file with the same
 * schema and connection settings (CONNECTION_PRAGMAS) through one cached prepared INSERT per table, in
 * the order ingestion wrote them, 1,000 events (and their other rows) per transaction.
 */
export async function storageCeiling(runFile: string): Promise<number> {
  const target = freshDbUrl();
  (await openDatabase({ url: target })).close(); // the same schema and indexes
  const from = new Database(runFile, { readonly: true });
  const read = (sql: string) => from.prepare(sql).raw(true).all() as unknown[][];
  const columns = (t: string) => (from.prepare(`select * from ${t} limit 1`).columns() as { name: string }[]).map((c) => `"${c.name}"`);
  // rowid tables come back in the order they were written; the keyed ones are put back in it: a
  // device when its first event came, a dedupe key with its event
  const dedupe = new Map(read('select project_id, key, seen_at from dedupe_ids').map((r) => [Buffer.from(r[1] as Uint8Array).toString('hex'), r]));
  const dedupeInOrder = read('select project_id, device_id, user_id, insert_id from event_rows where insert_id is not null order by id').flatMap(
    ([, d, u, i]) => {
      const k = Buffer.from(dedupeHash(d !== null ? `d:${d}` : `u:${u}`, String(i))).toString('hex');
      const row = dedupe.get(k);
      dedupe.delete(k);
      return row ? [row] : [];
    },
  );
  const tables = [
    { t: 'event_rows', cols: columns('event_rows'), rows: read('select * from event_rows order by id') },
    { t: 'dedupe_ids', cols: ['project_id', 'key', 'seen_at'], rows: dedupeInOrder },
    { t: 'amplitude_users', cols: columns('amplitude_users'), rows: read('select * from amplitude_users order by amplitude_id') },
    {
      t: 'devices',
      cols: ['project_id', 'device_id', 'amplitude_id'],
      rows: read(
        'select d.project_id, d.device_id, d.amplitude_id from devices d join (select project_id, device_id, min(id) first from event_rows group by 1, 2) e using (project_id, device_id) order by e.first',
      ),
    },
  ];
  const projects = read('select * from projects');
  const orgs = read('select * from organizations');
  from.close();
  const to = new Database(target.slice('file:'.length));
  to.exec(CONNECTION_PRAGMAS);
  // the foreign keys the rows point at, not timed
  for (const [t, rows] of [
    ['organizations', orgs],
    ['projects', projects],
  ] as const) {
    to.exec(`delete from ${t}`);
    for (const r of rows) to.prepare(`insert into ${t} values (${r.map(() => '?').join(', ')})`).run(r);
  }
  const inserts = tables.map(({ t, cols }) => to.prepare(`insert into ${t} (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`));
  const events = tables[0].rows.length;
  const slices = Math.ceil(events / BATCH);
  const t0 = performance.now();
  for (let i = 0; i < slices; i++) {
    to.exec('BEGIN IMMEDIATE');
    tables.forEach(({ rows }, k) => {
      const per = Math.ceil(rows.length / slices);
      for (const r of rows.slice(i * per, (i + 1) * per)) inserts[k].run(r);
    });
    to.exec('COMMIT');
  }
  const ms = performance.now() - t0;
  to.close();
  return events / (ms / 1000);
}
