// Export benchmark: one hour of N events from the libSQL file to radosgw on loopback through the real
// engine (tick → presigned PUTs), next to baselines on the same NDJSON bytes in the same run:
// `gzip -6` (the compression floor), node:zlib, fflate and CompressionStream alone. Then a one-year
// backfill of a small project. Usage: npm run bench:export [-- --sizes 100000,1000000]
import { createWriteStream, existsSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { setup, teardown } from '../test/support/global-setup';
import { adminS3, listKeys } from '../test/support/rgw';
import { fmt, run, table, tsx } from './measure';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const sizes = arg('sizes', '100000,1000000').split(',').map(Number);
const dir = '.tmp/bench';
mkdirSync(dir, { recursive: true });
const child = 'bench/export-child.ts';
const MB = 1024 * 1024;

await setup();
try {
  const rows: Record<string, string | number>[] = [];
  for (const n of sizes) {
    const db = `${dir}/export-${n}.db`;
    if (!existsSync(`${db}.json`)) {
      for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
      const g = await tsx(child, ['gen', db, String(n)]);
      console.log(`generated ${n} events in ${fmt(g.ms / 1000)} s`);
    }
    const variants: [string, string[]][] = [
      ['spillway export (CompressionStream)', []],
      ...(n <= 100_000 ? ([['spillway export (fflate level 6)', ['6']]] as [string, string[]][]) : []),
    ];
    let ndjson = '';
    let exportMs = 0;
    const measured: { label: string; ms: number; raw: number; gz: number; rss: number; events: number }[] = [];
    for (const [label, extra] of variants) {
      const r = await tsx(child, ['export', db, ...extra]);
      const o = JSON.parse(r.stdout.trim().split('\n').pop()!);
      if (o.state !== 'done') throw new Error(`export did not finish: ${r.stdout}`);
      measured.push({ label, ms: o.ms, raw: o.rawBytes, gz: o.bytes, rss: r.peakRssMb, events: o.events });
      if (!ndjson) {
        exportMs = o.ms;
        // the exported bytes, gunzipped: the baselines compress exactly this
        ndjson = `${dir}/hour-${n}.ndjson`;
        const out = createWriteStream(ndjson);
        out.setMaxListeners(0);
        for (const key of await listKeys(o.bucket)) {
          const body = (await adminS3().send(new GetObjectCommand({ Bucket: o.bucket, Key: key }))).Body as NodeJS.ReadableStream;
          await pipeline(body, createGunzip(), out, { end: false });
        }
        await new Promise((r) => out.end(r));
        if (statSync(ndjson).size !== o.rawBytes) throw new Error('NDJSON size differs from the export');
      }
    }
    const raw = statSync(ndjson).size;
    const gzip6 = await run('gzip', ['-6', '-c', ndjson], { stdoutFile: openSync('/dev/null', 'w') });
    const base: { label: string; ms: number; gz: number; rss: number }[] = [{ label: 'gzip -6 (CLI)', ms: gzip6.ms, gz: NaN, rss: gzip6.peakRssMb }];
    for (const mode of ['zlib', 'fflate', 'cstream']) {
      const r = await tsx(child, ['baseline', mode, ndjson]);
      const o = JSON.parse(r.stdout.trim().split('\n').pop()!);
      base.push({
        label: { zlib: 'node:zlib level 6', fflate: 'fflate level 6', cstream: 'CompressionStream' }[mode]!,
        ms: o.ms,
        gz: o.bytes,
        rss: r.peakRssMb,
      });
    }
    base[0].gz = base[1].gz; // same deflate level: zlib's size stands for gzip -6's
    for (const m of measured) {
      rows.push({
        events: n,
        run: m.label,
        'NDJSON MB': fmt(m.raw / MB),
        'gz MB': fmt(m.gz / MB),
        ratio: fmt(m.raw / m.gz, 2),
        'wall s': fmt(m.ms / 1000, 2),
        'events/s': fmt(m.events / (m.ms / 1000), 0),
        'MB/s': fmt(m.raw / MB / (m.ms / 1000)),
        'peak RSS MB': fmt(m.rss, 0),
        '× gzip -6': fmt(m.ms / gzip6.ms, 2),
      });
    }
    for (const b of base) {
      rows.push({
        events: n,
        run: b.label,
        'NDJSON MB': fmt(raw / MB),
        'gz MB': fmt(b.gz / MB),
        ratio: fmt(raw / b.gz, 2),
        'wall s': fmt(b.ms / 1000, 2),
        'events/s': fmt(n / (b.ms / 1000), 0),
        'MB/s': fmt(raw / MB / (b.ms / 1000)),
        'peak RSS MB': fmt(b.rss, 0),
        '× gzip -6': fmt(b.ms / gzip6.ms, 2),
      });
    }
    console.log(`${n} events: export ${fmt(exportMs / 1000, 2)} s = ${fmt(exportMs / gzip6.ms, 2)} × gzip -6 on the same ${fmt(raw / MB)} MB`);
    rmSync(ndjson, { force: true });
  }
  console.log('\nExport of one hour (radosgw on loopback; NDJSON = the exported bytes, gunzipped)\n');
  table(rows);

  const ydb = `${dir}/backfill-year.db`;
  for (const f of [ydb, `${ydb}-wal`, `${ydb}-shm`]) rmSync(f, { force: true });
  const y = await tsx(child, ['backfill', ydb]);
  const o = JSON.parse(y.stdout.trim().split('\n').pop()!);
  console.log('\nManual export of one year of a small project (60 busy hours of 200 events, the rest empty)\n');
  table([
    {
      hours: o.hours,
      'jobs done': o.jobsDone,
      events: o.events,
      ticks: o.ticks,
      'total s': fmt(o.ms / 1000, 2),
      'ms/hour': fmt(o.ms / o.hours, 2),
      'peak RSS MB': fmt(y.peakRssMb, 0),
    },
  ]);
} finally {
  await teardown();
}
