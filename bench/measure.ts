// Child processes with wall time and peak RSS (VmHWM polled from /proc; node children also report
// their own VmHWM at the end, which is exact; getrusage's maxRSS is not: it starts at the parent's size).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { basename } from 'node:path';
import type { BuildOptions } from 'esbuild';
import nodeBundle from '../scripts/node-bundle.json';

export interface Measured {
  ms: number;
  peakRssMb: number;
  stdout: string;
}

/** The value after `--name` on the command line, or `fallback`. */
export const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};

/** The JSON a child printed on its last line (its report). */
export const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!);

/** Writes the parts' NDJSON (gunzipped) to one file, one part at a time: the baselines compress exactly these bytes. */
export function ndjsonOf(partsDir: string, file: string) {
  const out = openSync(file, 'w');
  for (const f of readdirSync(partsDir).sort()) if (f.endsWith('.gz')) writeSync(out, gunzipSync(readFileSync(`${partsDir}/${f}`)));
  closeSync(out);
}

/** A process's peak RSS (VmHWM) in MB. */
export const hwmMb = (pid: number) => hwmKb(pid) / 1024;

function hwmKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export function run(cmd: string, args: string[], opts: { env?: Record<string, string>; stdoutFile?: number } = {}): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args, { env: { ...process.env, ...opts.env }, stdio: ['ignore', opts.stdoutFile ?? 'pipe', 'inherit'] });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    let peak = 0;
    const poll = setInterval(() => (peak = Math.max(peak, hwmKb(child.pid!))), 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      const ms = performance.now() - start;
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`));
      // a node child's own report wins over polling
      const reported = /"maxRssKb":(\d+)/.exec(out);
      resolve({ ms, peakRssMb: (reported ? Number(reported[1]) : peak) / 1024, stdout: out });
    });
  });
}

// one process (tsx's loader in it), so that the child measured is the script itself
export const tsx = (script: string, args: string[], env?: Record<string, string>) => run(process.execPath, ['--import', 'tsx', script, ...args], { env });

/**
 * A TypeScript entry bundled into one ES module, run by plain node: the memory measured is the code's,
 * as in the production server (Next.js bundles it), without tsx's loader thread and transpiler (~30 MB).
 */
export async function bundle(entry: string, outdir: string): Promise<string> {
  const { build } = await import('esbuild');
  const name = basename(entry, '.ts');
  // as the server's worker threads are bundled (scripts/build-workers.mjs)
  await build({ ...(nodeBundle as BuildOptions), entryPoints: { [name]: entry }, outdir, outExtension: { '.js': '.mjs' } });
  return `${outdir}/${name}.mjs`;
}

export const node = (file: string, args: string[], env?: Record<string, string>) => run(process.execPath, [file, ...args], { env });

export function table(rows: Record<string, string | number>[]) {
  const cols = Object.keys(rows[0]);
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(w[i])).join('  ');
  console.log(line(cols));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const r of rows) console.log(line(cols.map((c) => String(r[c]))));
}

export const fmt = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** `min–max` of a figure over alternations. */
export const range = (xs: number[], d = 2) => (xs.length === 1 ? fmt(xs[0], d) : `${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)}`);
