// Rows stamped with an hour that is already sealed (or that the sealer passed as empty): only a clock
// behind the others' (another instance's) does that. The hour's seal is marked stale and its finished
// exports queued again, so the files are built again with the late rows and rewritten, never left
// without them (lib/jobs/seal.ts builds it again; the exporter checks the seal before it finishes).
import { readRows } from '../db/bulk';
import type { Tx } from '../db/types';
import { sql } from 'drizzle-orm';

const HOUR_MS = 3_600_000;

/** In the write transaction that stores rows of `kind` stamped `now`. One point read when nothing is late. */
export async function noteLateRows(tx: Tx, client: unknown, projectId: number, kind: 'events' | 'merged', now: number) {
  const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
  const [row] = await readRows(
    tx,
    client,
    'select p.sealed_until, s.state from projects p left join seals s on s.project_id = p.id and s.kind = ? and s.hour = ? where p.id = ?',
    [kind, hour, projectId],
  );
  if (!row) return;
  const [sealedUntil, state] = row as [number | null, string | null];
  if (state === 'stale' || (state === null && (sealedUntil === null || hour >= sealedUntil))) return;
  await tx.run(sql`insert into seals (project_id, kind, hour, state, part_bytes, updated_at) values (${projectId}, ${kind}, ${hour}, 'stale', 0, ${now})
    on conflict (project_id, kind, hour) do update set state = 'stale', lease_owner = null, lease_until = null, updated_at = ${now}`);
  await tx.run(sql`update export_jobs set state = 'pending', due_at = ${now}, tries = 0, parts_done = 0, updated_at = ${now}
    where kind = ${kind} and hour = ${hour} and state in ('done', 'failed') and destination_id in (select id from destinations where project_id = ${projectId})`);
}
