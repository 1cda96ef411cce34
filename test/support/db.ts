// A fresh libSQL file per test: the real schema, migrated, never an in-memory fake.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { openDatabase, type Database } from '../../lib/db/client';

export function freshDbUrl(): string {
  const dir = resolve('.tmp/test-db');
  mkdirSync(dir, { recursive: true });
  return `file:${dir}/${Date.now().toString(36)}-${crypto.randomUUID()}.db`;
}

export async function freshDatabase(): Promise<Database> {
  return openDatabase({ url: freshDbUrl(), migrationsFolder: resolve('drizzle') });
}
