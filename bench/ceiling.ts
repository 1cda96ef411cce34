// The storage's own ceiling for ingestion (bench:ingest prints the ratios to it).
import Database from 'libsql';
import { openDatabase } from '../lib/db/client';
import { dedupeHash } from '../lib/db/dedupe-key';
import { DEDUPE_LEVELS } from '../lib/ingest/dedupe';
import { DEVICE_LEVELS } from '../lib/ingest/identity-store';
import { SAFETY_AUTOCHECKPOINT_PAGES, startCheckpointer } from '../lib/db/checkpointer';
import { CONNECTION_PRAGMAS, INGEST_WRITE_CACHE_MB } from '../lib/db/local-client';
import { freshDbUrl } from '../test/support/db';

/**
 * Events/s of the storage alone: every row the run wrote, copied into a fresh file with the same
 * schema and connection settings (CONNECTION_PRAGMAS) in the order ingestion wrote them, `perTransaction`
 * events (and their other rows) per transaction, `perStatement` rows per INSERT, with ingestion's
 * checkpoints on another thread (lib/db/checkpointer.ts): the storage work of ingestion with nothing else.
 */
export async function storageRate(runFile: string, perStatement: number, perTransaction: number): Promise<number> {
  const target = freshDbUrl();
  (await openDatabase({ url: target })).close(); // the same schema and indexes
  const from = new Database(runFile, { readonly: true });
  const read = (sql: string) => from.prepare(sql).raw(true).all() as unknown[][];
  const columns = (t: string) => (from.prepare(`select * from ${t} limit 1`).columns() as { name: string }[]).map((c) => `"${c.name}"`);
  // rowid tables come back in the order they were written; the keyed ones are put back in it: a
  // device when its first event came, a dedupe key with its event
  const dedupe = new Map(
    read(DEDUPE_LEVELS.map((l) => `select project_id, key, seen_at from ${l}`).join(' union all ')).map((r) => [
      Buffer.from(r[1] as Uint8Array).toString('hex'),
      r,
    ]),
  );
  const dedupeInOrder = read('select project_id, device_id, user_id, insert_id from events where insert_id is not null order by id').flatMap(([, d, u, i]) => {
    const k = Buffer.from(dedupeHash(d !== null ? `d:${d}` : `u:${u}`, String(i))).toString('hex');
    const row = dedupe.get(k);
    dedupe.delete(k);
    return row ? [row] : [];
  });
  const tables = [
    { t: 'event_rows', cols: columns('event_rows'), rows: read('select * from event_rows order by id') },
    { t: 'dedupe_ids', cols: ['project_id', 'key', 'seen_at'], rows: dedupeInOrder },
    { t: 'amplitude_users', cols: columns('amplitude_users'), rows: read('select * from amplitude_users order by amplitude_id') },
    {
      t: 'devices',
      cols: ['project_id', 'device_id', 'amplitude_id'],
      rows: read(
        `select d.project_id, d.device_id, d.amplitude_id from (${DEVICE_LEVELS.map((t) => `select project_id, device_id, amplitude_id from ${t}`).join(' union all ')}) d
          join (select project_id, device_id, min(id) first from event_rows group by 1, 2) e using (project_id, device_id) group by 1, 2 order by min(e.first)`,
      ),
    },
  ];
  const projects = read('select * from projects');
  const orgs = read('select * from organizations');
  from.close();
  const path = target.slice('file:'.length);
  const to = new Database(path);
  to.exec(`${CONNECTION_PRAGMAS}; PRAGMA cache_size=-${INGEST_WRITE_CACHE_MB * 1024}`);
  const checkpointer = startCheckpointer(path);
  to.exec(`PRAGMA wal_autocheckpoint=${SAFETY_AUTOCHECKPOINT_PAGES}`);
  // the foreign keys the rows point at, not timed
  for (const [t, rows] of [
    ['organizations', orgs],
    ['projects', projects],
  ] as const) {
    to.exec(`delete from ${t}`);
    for (const r of rows) to.prepare(`insert into ${t} values (${r.map(() => '?').join(', ')})`).run(r);
  }
  const per = perStatement;
  const statement = (t: string, cols: string[], n: number) =>
    to.prepare(
      `insert into ${t} (${cols.join(', ')}) values ${Array(n)
        .fill(`(${cols.map(() => '?').join(', ')})`)
        .join(', ')}`,
    );
  const inserts = tables.map(({ t, cols }) => ({ many: statement(t, cols, per), one: statement(t, cols, 1) }));
  const events = tables[0].rows.length;
  const slices = Math.ceil(events / perTransaction);
  const t0 = performance.now();
  for (let i = 0; i < slices; i++) {
    to.exec('BEGIN IMMEDIATE');
    tables.forEach(({ rows }, k) => {
      const share = Math.ceil(rows.length / slices);
      const slice = rows.slice(i * share, (i + 1) * share);
      const whole = slice.length - (slice.length % per);
      for (let r = 0; r < whole; r += per) inserts[k].many.run(slice.slice(r, r + per).flat());
      for (let r = whole; r < slice.length; r++) inserts[k].one.run(slice[r]);
    });
    to.exec('COMMIT');
  }
  const ms = performance.now() - t0;
  await checkpointer.stop();
  to.close();
  return events / (ms / 1000);
}
