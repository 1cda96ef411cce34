// Rows stamped with an hour that is already sealed (or that the sealer passed as empty): only a clock
// behind the others' (another instance's) does that. The hour's seal is marked stale and its finished
// exports queued again, so the files are built again with the late rows and rewritten, never left
// without them (lib/export/seal/seal.ts builds it again; the exporter checks the seal before it finishes).
import { readRows } from '../db/bulk';
import { DEFAULT_EVENTS, eventSealSql, sealKindOf } from '../db/seal-kinds';
import type { Tx } from '../db/types';
import { sql } from 'drizzle-orm';

const HOUR_MS = 3_600_000;

/** In the write transaction that stores rows of `kind` stamped `now`. One point read when nothing is late. */
export async function noteLateRows(tx: Tx, client: unknown, projectId: number, kind: 'events' | 'merged', now: number) {
  const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
  // events have a seal per line format and filter (lib/db/seal-kinds.ts): each one the hour has is built again
  const kinds = kind === 'events' ? eventSealSql('s.kind') : "s.kind = 'merged'";
  const rows = (await readRows(
    tx,
    client,
    `select p.sealed_until, s.kind, s.state from projects p left join seals s on s.project_id = p.id and ${kinds} and s.hour = ? where p.id = ?`,
    [hour, projectId],
  )) as [number | null, string | null, string | null][];
  if (rows.length === 0) return;
  const sealedUntil = rows[0][0];
  const seals = rows.filter((r) => r[1] !== null);
  if (seals.length > 0 && seals.every((r) => r[2] === 'stale')) return;
  if (seals.length === 0 && (sealedUntil === null || hour >= sealedUntil)) return;
  // an hour the sealer passed as empty gets a seal to build, in the current format
  for (const k of seals.length > 0 ? seals.map((r) => r[1]!) : [sealKindOf(kind, DEFAULT_EVENTS)]) {
    await tx.run(sql`insert into seals (project_id, kind, hour, state, part_bytes, updated_at) values (${projectId}, ${k}, ${hour}, 'stale', 0, ${now})
      on conflict (project_id, kind, hour) do update set state = 'stale', lease_owner = null, lease_until = null, updated_at = ${now}`);
  }
  await tx.run(sql`update export_jobs set state = 'pending', due_at = ${now}, tries = 0, parts_done = 0, updated_at = ${now}
    where kind = ${kind} and hour = ${hour} and state in ('done', 'failed') and destination_id in (select id from destinations where project_id = ${projectId})`);
}
