// The one rule for a dedupe_ids key (lib/ingest/dedupe.ts): 16 bytes of SHA-256 of the dedupe identity
// ('d:' device_id, or 'u:' user_id without a device) and the insert_id. Also converts the rows of the
// table it replaced (insert_ids, plain text keys) once, at start: SQL cannot hash them.
import type { Client } from '@libsql/client';
import { sha256 } from '../util/sha256';

export const dedupeHash = (idKey: string, insertId: string): Uint8Array => sha256(`${idKey}\n${insertId}`).subarray(0, 16);

const BATCH = 1_000;

/** Moves insert_ids (from before migration 0007) into dedupe_ids and drops it; nothing when it is gone. */
export async function convertLegacyDedupe(client: Client): Promise<void> {
  const exists = async () => (await client.execute("select 1 from sqlite_schema where type = 'table' and name = 'insert_ids'")).rows.length > 0;
  if (!(await exists())) return;
  const tx = await client.transaction('write');
  try {
    // another instance may have converted it meanwhile
    if ((await tx.execute("select 1 from sqlite_schema where type = 'table' and name = 'insert_ids'")).rows.length === 0) return;
    for (let after = 0; ;) {
      const { rows } = await tx.execute({
        sql: 'select rowid, project_id, id_key, insert_id, seen_at from insert_ids where rowid > ? order by rowid limit ?',
        args: [after, BATCH],
      });
      if (rows.length === 0) break;
      after = Number(rows[rows.length - 1][0]);
      await tx.execute({
        sql: `insert into dedupe_ids (project_id, key, seen_at) values ${rows.map(() => '(?, ?, ?)').join(', ')}
              on conflict (project_id, key) do update set seen_at = max(seen_at, excluded.seen_at)`,
        args: rows.flatMap((r) => [Number(r[1]), dedupeHash(String(r[2]), String(r[3])), Number(r[4])]),
      });
    }
    await tx.execute('drop table insert_ids');
    await tx.commit();
  } finally {
    tx.close();
  }
}
