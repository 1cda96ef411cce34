// Node-side database client: an embedded libSQL file by default, a remote libSQL/Turso URL when configured.
// Migrations from drizzle/ are applied once per process before the first query.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { convertLegacyDedupe } from './dedupe-key';
import { LocalClient } from './local-client';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import * as schema from './schema';
import type { Db } from './types';

/** The path of a `file:` URL (`file:./a.db`, `file:/abs/a.db`, `file:///abs/a.db`), without its query. */
export function fileUrlPath(url: string): string {
  const path = decodeURIComponent(url.slice('file:'.length).split('?')[0]);
  return path.startsWith('///') ? path.slice(2) : path;
}

export interface OpenOptions {
  url: string;
  authToken?: string;
  migrationsFolder?: string;
  /**
   * `file:` databases: WAL checkpoints on a thread of their own, not in the writer's commits (the app's
   * server; lib/db/checkpointer.ts). true starts it; 'process' leaves them to the one another thread of
   * this process started (ingestion's writing thread: the main thread opened the file first).
   */
  backgroundCheckpoints?: boolean | 'process';
  /** the write connection's page cache (a file database); ingestion's writer asks for a large one */
  writeCacheMb?: number;
}

export interface Database {
  db: Db;
  client: Client;
  url: string;
  close(): void;
}

/** Opens (and migrates) a database. Tests call this with a fresh file each. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  const { url } = opts;
  if (url.startsWith('file:')) {
    const path = fileUrlPath(url);
    if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  }
  // the native busy timeout (ms) is kept short because it blocks the event loop; lib/db/write retries
  // asynchronously. A file is opened with our own client on the native driver (local-client.ts says
  // why), in WAL mode so readers (UI, export) run while ingestion writes.
  const client: Client = url.startsWith('file:')
    ? new LocalClient(fileUrlPath(url), 250, opts.backgroundCheckpoints, opts.writeCacheMb)
    : createClient({ url, authToken: opts.authToken });
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder: opts.migrationsFolder ?? resolve(process.cwd(), 'drizzle') });
  await convertLegacyDedupe(client);
  return { db, client, url, close: () => client.close() };
}
