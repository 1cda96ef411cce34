// Whether Spillway's own storage can take what ingestion writes: the disk of a `file:` database above
// its floor (SPILLWAY_MIN_FREE_DISK_MB), and a real write of one large batch's size. A heartbeat alone
// rewrites a page in place, which a full disk still allows.
import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { fileUrlPath } from '../db/client';
import * as s from '../db/schema';
import { storageFault } from '../db/storage-fault';
import type { Db } from '../db/types';
import { withWriteLock } from '../db/write';
import { minFreeDiskMb } from './config';

// about one 1,000-event batch's rows and indexes (~725 KB), with room
export const PROBE_BYTES = 1 << 20;
// a load balancer may ask every second: the write is made at most this often, its outcome kept meanwhile
const PROBE_EVERY_MS = 5_000;

let last: { at: number; problem: string | null } | null = null;

/** Free megabytes on the disk of a `file:` database, or null for a remote one. */
export async function freeDiskMb(url: string): Promise<number | null> {
  if (!url.startsWith('file:')) return null;
  const path = fileUrlPath(url);
  if (path === ':memory:') return null;
  const fs = await statfs(dirname(resolve(path)));
  return (fs.bavail * fs.bsize) / 1024 ** 2;
}

/** The write of ingestion's size, committed and then undone (two transactions, so both reach the disk). */
async function probeWrite(db: Db, instanceId: string) {
  await withWriteLock(
    db,
    () =>
      db
        .update(s.instances)
        .set({ probe: sql`zeroblob(${PROBE_BYTES})` as unknown as Uint8Array })
        .where(eq(s.instances.id, instanceId)),
    2_000,
  );
  await withWriteLock(db, () => db.update(s.instances).set({ probe: null }).where(eq(s.instances.id, instanceId)), 2_000);
}

/** null when the storage takes ingestion's writes, else why not, for the operator. */
export async function storageProblem(db: Db, url: string, instanceId: string, now = Date.now()): Promise<string | null> {
  const floor = minFreeDiskMb();
  const free = await freeDiskMb(url).catch(() => null);
  if (free !== null && free < floor) return `disk nearly full: ${Math.floor(free)} MB free, below SPILLWAY_MIN_FREE_DISK_MB=${floor}`;
  if (last && now - last.at < PROBE_EVERY_MS) return last.problem;
  let problem: string | null = null;
  try {
    await probeWrite(db, instanceId);
  } catch (e) {
    const fault = storageFault(e);
    problem = `a ${PROBE_BYTES / 1024 ** 2} MB write failed: ${fault ? fault.reason : ((e as Error)?.message ?? String(e)).slice(0, 200)}`;
  }
  last = { at: now, problem };
  return problem;
}
