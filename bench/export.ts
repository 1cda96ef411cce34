// Export benchmark, ratios to baselines measured in the same run (radosgw on loopback):
//   - sealing one hour of N events (building its canonical parts) against `gzip -6` on the same NDJSON
//     (node:zlib, fflate and CompressionStream alone beside it), with peak RSS, and the history it
//     keeps against the gzip bytes; the same hour sealed as Parquet (Snappy) parts, its bytes in 'gz MB';
//   - exporting the sealed hour against bare presigned PUTs of the same part files;
//   - an hour sealed and exported in ticks smaller than it (paused and resumed), and a sealing worker
//     stopped mid-part whose lease runs out (another takes over);
//   - a one-year manual export of a small project (most hours empty).
// Usage: npm run bench:export [-- --sizes 100000,1000000] [--alternations 3]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { setup, teardown } from '../test/support/global-setup';
import { arg, bundle, fmt, lastJson, ndjsonOf, node, range, run, table } from './measure';

const sizes = arg('sizes', '100000,1000000').split(',').map(Number);
// seals of the first size alternated with the baselines on its bytes, for the ratios' ranges
const alternations = Number(arg('alternations', '3'));
const dir = '.tmp/bench';
mkdirSync(dir, { recursive: true });

const MB = 1024 * 1024;
const ratio = (a: number, b: number) => fmt(a / b, 2);

await setup();
// the worker bundled as the server's code is, so its memory is the code's (measure.ts)
const child = await bundle('bench/export-child.ts', `${dir}/bin`);
try {
  const sealRows: Record<string, string | number>[] = [];
  const exportRows: Record<string, string | number>[] = [];
  let leaseRow: Record<string, string | number> | null = null;
  let longRow: Record<string, string | number> | null = null;
  let alternationRow: Record<string, string | number> | null = null;
  for (const n of sizes) {
    const db = `${dir}/export-${n}.db`;
    if (!existsSync(`${db}.json`) || !existsSync(db)) {
      for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}.json`]) rmSync(f, { force: true });
      const g = await node(child, ['gen', db, String(n)]);
      console.log(`generated ${n} events in ${fmt(g.ms / 1000)} s`);
    }
    const partsDir = `${dir}/parts-${n}`;
    rmSync(partsDir, { recursive: true, force: true });
    // the database file read once first, as the hour just written is in the OS's cache in real life (and
    // gzip's input is below): the run measures sealing, not a cold disk
    await run('cat', [db], { stdoutFile: openSync('/dev/null', 'w') });
    const seal = await node(child, ['seal', db, partsDir]);
    const o = lastJson(seal.stdout);
    if (!o.ok) throw new Error(`the hour was not sealed: ${seal.stdout}`);
    const ndjson = `${dir}/hour-${n}.ndjson`;
    ndjsonOf(partsDir, ndjson);
    const raw = statSync(ndjson).size;
    if (raw !== o.rawBytes) throw new Error(`NDJSON size ${raw} differs from the sealed ${o.rawBytes}`);
    const gzip6 = await run('gzip', ['-6', '-c', ndjson], { stdoutFile: openSync('/dev/null', 'w') });
    const baselines: [string, { ms: number; gz: number; rss: number }][] = [['gzip -6 (CLI)', { ms: gzip6.ms, gz: NaN, rss: gzip6.peakRssMb }]];
    // both cores at once: what a parallel deflate gets from this machine
    const pigz = await run('pigz', ['-p2', '-6', '-c', ndjson], { stdoutFile: openSync('/dev/null', 'w') });
    baselines.push(['pigz -p2 -6 (CLI)', { ms: pigz.ms, gz: NaN, rss: pigz.peakRssMb }]);
    for (const mode of ['zlib', 'cstream', 'fflate']) {
      const r = await node(child, ['baseline', mode, ndjson]);
      const b = lastJson(r.stdout);
      baselines.push([
        { zlib: 'node:zlib level 6', fflate: 'fflate level 6', cstream: 'CompressionStream' }[mode]!,
        { ms: b.ms, gz: b.bytes, rss: r.peakRssMb },
      ]);
    }
    // the same deflate level: zlib's size stands for gzip -6's and pigz's
    for (const b of baselines.slice(0, 2)) b[1].gz = baselines[2][1].gz;
    // a seal run of Spillway (JSON or Parquet parts) as a row beside the baselines
    const sealRow = (run: string, s: typeof o, peakRssMb: number) => ({
      events: n,
      run,
      'NDJSON MB': fmt(raw / MB),
      'gz MB': fmt(s.bytes / MB),
      parts: s.parts,
      'wall s': fmt(s.ms / 1000, 2),
      'MB/s': fmt(raw / MB / (s.ms / 1000)),
      'peak RSS MB': fmt(peakRssMb, 0),
      '× gzip -6': ratio(s.ms, gzip6.ms),
      'history / gz': ratio(s.historyBytes, s.bytes),
      'raw B/event': fmt(s.rawRowBytes / n, 0),
      'history B/event': fmt(s.historyBytes / n, 0),
    });
    sealRows.push(sealRow('seal the hour (Spillway)', o, seal.peakRssMb));
    for (const [label, b] of baselines) {
      sealRows.push({
        events: n,
        run: label,
        'NDJSON MB': fmt(raw / MB),
        'gz MB': fmt(b.gz / MB),
        parts: '',
        'wall s': fmt(b.ms / 1000, 2),
        'MB/s': fmt(raw / MB / (b.ms / 1000)),
        'peak RSS MB': fmt(b.rss, 0),
        '× gzip -6': ratio(b.ms, gzip6.ms),
        'history / gz': '',
        'raw B/event': '',
        'history B/event': '',
      });
    }
    if (n === sizes[0]) {
      const r = { gzip: [] as number[], zlib: [] as number[], pigz: [] as number[] };
      for (let k = 0; k < alternations; k++) {
        const sk = lastJson((await node(child, ['seal', db, partsDir])).stdout);
        const g = await run('gzip', ['-6', '-c', ndjson], { stdoutFile: openSync('/dev/null', 'w') });
        const pz = await run('pigz', ['-p2', '-6', '-c', ndjson], { stdoutFile: openSync('/dev/null', 'w') });
        const z = lastJson((await node(child, ['baseline', 'zlib', ndjson])).stdout);
        r.gzip.push(sk.ms / g.ms);
        r.zlib.push(sk.ms / z.ms);
        r.pigz.push(sk.ms / pz.ms);
      }
      alternationRow = {
        events: n,
        alternations,
        'seal × gzip -6': range(r.gzip),
        'seal × node zlib': range(r.zlib),
        'seal × pigz -p2 -6': range(r.pigz),
      };
    }
    rmSync(ndjson, { force: true });

    // the same hour sealed as Parquet (Snappy) parts, beside gzip -6 on the same NDJSON
    const pq = await node(child, ['seal', db, `${dir}/parquet-${n}`, '-', 'events-current~parquet']);
    const p = lastJson(pq.stdout);
    if (!p.ok || p.events !== o.events) throw new Error(`the hour was not sealed as Parquet: ${pq.stdout}`);
    sealRows.push(sealRow('seal the hour as Parquet (Spillway)', p, pq.peakRssMb));
    rmSync(`${dir}/parquet-${n}`, { recursive: true, force: true });
    // the JSON seal again (not timed): the export runs below copy it
    if (!lastJson((await node(child, ['seal', db, partsDir])).stdout).ok) throw new Error('the hour was not sealed again');

    // the sealed hour exported, against bare presigned PUTs of the same bytes: the parts alone, and the
    // parts and the hour's manifest (the objects the export writes); alternated, best of 3 each
    const exports: number[] = [];
    const jobs: number[] = [];
    const puts: number[] = [];
    const withManifest: number[] = [];
    for (let k = 0; k < 3; k++) {
      const e = lastJson((await node(child, ['export', db, partsDir])).stdout);
      if (e.state !== 'done' || e.sealed !== 0) throw new Error(`the sealed hour was not copied: ${JSON.stringify(e)}`);
      exports.push(e.ms);
      jobs.push(e.jobMs);
      puts.push(lastJson((await node(child, ['put', partsDir])).stdout).ms);
      withManifest.push(lastJson((await node(child, ['put', partsDir, 'manifest'])).stdout).ms);
    }
    const [em, jm, pm, mm] = [Math.min(...exports), Math.min(...jobs), Math.min(...puts), Math.min(...withManifest)];
    exportRows.push({
      events: n,
      'gz MB': fmt(o.bytes / MB),
      parts: o.parts,
      'the tick ms': fmt(em, 0),
      'its export job ms': fmt(jm, 0),
      'bare PUTs: parts ms': fmt(pm, 0),
      'parts + manifest ms': fmt(mm, 0),
      'job × parts': ratio(jm, pm),
      'job × parts + manifest': ratio(jm, mm),
      'tick × parts + manifest': ratio(em, mm),
    });

    if (n === sizes[0]) {
      // a sealing worker stopped in the middle of a part: its lease runs out, another takes over
      await node(child, ['unseal', db]);
      const hold = spawn(process.execPath, [child, 'hold', db, '2000'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      hold.stdout.on('data', (d) => (out += d));
      // stopped once it has kept two parts, in the middle of its third
      while (!out.includes('part 2\n')) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 50));
      hold.kill('SIGSTOP');
      await new Promise((r) => setTimeout(r, 2_500));
      const t0 = performance.now();
      const f = lastJson((await node(child, ['finish', db])).stdout);
      const takeoverMs = performance.now() - t0;
      hold.kill('SIGCONT');
      await new Promise((r) => hold.once('exit', r));
      const h = lastJson(out);
      leaseRow = {
        events: n,
        'stopped worker': `kept ${h.parts} part(s), then ${h.outcome}`,
        'second worker': f.ok ? `built parts ${h.parts + 1}-${f.parts} in ${fmt(takeoverMs / 1000, 2)} s` : 'did not seal',
        'seal lines': f.lines,
        'lines = events': String(f.lines === n),
      };
      // the hour sealed and exported in ticks of 1 s (the hour takes several)
      const l = lastJson((await node(child, ['long', db, '1000'])).stdout);
      longRow = { events: n, 'tick budget s': 1, ticks: l.ticks, 'total s': fmt(l.ms / 1000, 2), 'seal lines': l.events, parts: l.parts, state: l.state };
    }
  }
  console.log('\nSealing one hour (NDJSON = the sealed parts, gunzipped; baselines compress the same bytes)\n');
  table(sealRows);
  if (alternationRow) {
    console.log(`\nThe seal of the first size against the baselines on its bytes, alternated ${alternations} times (ranges of the ratios)\n`);
    table([alternationRow]);
  }
  console.log(
    '\nExporting an already sealed hour to a new bucket: the tick (planning, the job) and its export job alone (claim to done: parts, manifest, bookkeeping), against bare presigned PUTs of the same objects (best of 3 each)\n',
  );
  table(exportRows);
  if (longRow) {
    console.log('\nAn hour larger than a tick: sealed and exported in ticks of 1 s, paused and resumed\n');
    table([longRow]);
  }
  if (leaseRow) {
    console.log('\nA sealing worker stopped mid-part (SIGSTOP) past its 2 s lease; another seals the hour\n');
    table([leaseRow]);
  }

  // a year with an hour manifest for every hour (the default), without manifests, and the baseline for
  // the first: bare presigned PUTs of manifest-sized objects, as many at once as the export sends
  const yearRows: Record<string, string | number>[] = [];
  for (const variant of ['manifests', 'no-manifests']) {
    const ydb = `${dir}/backfill-year.db`;
    for (const f of [ydb, `${ydb}-wal`, `${ydb}-shm`]) rmSync(f, { force: true });
    const y = await node(child, ['backfill', ydb, variant]);
    const yo = lastJson(y.stdout);
    yearRows.push({
      run: variant === 'manifests' ? 'one year, a manifest per hour' : 'one year, manifests off',
      hours: yo.hours,
      'jobs done': yo.jobsDone,
      events: yo.events,
      ticks: yo.ticks,
      'total s': fmt(yo.ms / 1000, 2),
      'ms/hour': fmt(yo.ms / yo.hours, 2),
      'peak RSS MB': fmt(y.peakRssMb, 0),
    });
  }
  const bare = lastJson((await node(child, ['manifest-puts', '2000'])).stdout);
  yearRows.push({
    run: 'bare PUTs of 2,000 manifests, 16 at once',
    hours: '',
    'jobs done': '',
    events: '',
    ticks: '',
    'total s': fmt(bare.ms / 1000, 2),
    'ms/hour': fmt(bare.ms / 2000, 2),
    'peak RSS MB': '',
  });
  console.log('\nManual export of one year of a small project (60 busy hours of 200 events, the rest empty)\n');
  table(yearRows);
} finally {
  await teardown();
}
