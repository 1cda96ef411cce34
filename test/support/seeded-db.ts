// Vitest only (Playwright loads seed.ts too): a fresh seeded database for each test of a file.
import { afterEach, beforeEach } from 'vitest';
import { freshSeeded } from './seed';

/** For each test of the calling file: a fresh seeded database (freshSeeded), closed after the test. */
export function seededEachTest(label?: string) {
  const current = {} as Awaited<ReturnType<typeof freshSeeded>>;
  beforeEach(async () => Object.assign(current, await freshSeeded(label)));
  afterEach(() => current.database.close());
  return current;
}
