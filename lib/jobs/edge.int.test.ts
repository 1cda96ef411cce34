// The engine imports no node: module: bundled for browser/worker conditions and run inside the
// edge-runtime VM (web APIs only), it exports an hour to radosgw. The VM is handed the database
// connection, as an edge function is handed a remote libSQL client.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { EdgeRuntime } from 'edge-runtime';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/client';
import * as s from '../db/schema';
import { floorHour, HOUR_MS } from '../util/hours';
import { freshDatabase } from '../../test/support/db';
import { ingestAt, rgwDestination, sampleEvents, testConfig } from '../../test/support/engine';
import { listKeys, newBucket } from '../../test/support/rgw';
import { seedOrg } from '../../test/support/seed';

let database: Database;
beforeEach(async () => {
  database = await freshDatabase();
});
afterEach(() => database.close());

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

describe('edge runtime', () => {
  it('lib/export and lib/jobs import no node: module', () => {
    for (const f of [...sources(resolve('lib/export')), ...sources(resolve('lib/jobs'))]) {
      expect(readFileSync(f, 'utf8'), f).not.toMatch(/from ['"](node:|fs|path|crypto|child_process|zlib|stream|os|net)['"]/);
    }
  });

  it('bundles for worker/browser conditions and exports an hour inside the edge-runtime VM', async () => {
    const out = await build({
      entryPoints: [resolve('test/support/edge-entry.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      conditions: ['worker', 'browser'],
      target: 'es2022',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.filter((i) => i.startsWith('node:') || /(^|\/)node_modules\/(@libsql|libsql|nodemailer)\//.test(i))).toEqual([]);
    const code = out.outputFiles[0].text;

    const seed = await seedOrg(database.db);
    const H = floorHour(Date.now()) - 2 * HOUR_MS;
    await ingestAt(database.db, seed.project.apiKey!, sampleEvents(50, 'edge'), H);
    const bucket = await newBucket('edge');
    await rgwDestination(database.db, { orgId: seed.org.id, projectId: seed.project.id, bucket });

    const runtime = new EdgeRuntime({
      extend: (context) => Object.assign(context, { db: database.db, config: testConfig({ partBytes: 20_000 }) }),
    });
    runtime.evaluate(code);
    // the VM has web APIs only: no require, no process
    expect(runtime.evaluate('typeof require')).toBe('undefined');
    const sum = await runtime.evaluate<Promise<{ done: number; parts: number; failed: number }>>('spillwayEngine.tick(db, config, { budgetMs: 60000 })');
    const failed = await database.db.select().from(s.exportJobs).where(eq(s.exportJobs.state, 'failed'));
    expect(failed.map((j) => j.errorMessage)).toEqual([]);
    expect(sum.failed).toBe(0);
    expect(sum.parts).toBeGreaterThan(1);
    expect((await listKeys(bucket)).length).toBe(sum.parts);
    const [job] = await database.db.select().from(s.exportJobs).where(eq(s.exportJobs.hour, H));
    expect(job).toMatchObject({ state: 'done', events: 50 });
  });
});
