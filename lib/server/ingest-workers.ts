// Ingestion on threads of its own (Node edge). A request's body is handed (transferred, not copied) to
// the least busy parsing thread, which decodes, parses, validates and half-builds its rows
// (lib/ingest/prepare.ts) and passes them to the one writing thread, which stores them
// (lib/ingest/ingest.ts) and answers. The main thread keeps HTTP and the pages: on 2 cores the parsing
// of one request, the writing of another and the reading of a third overlap. Without the bundles (next
// dev, a host that skipped scripts/build-workers.mjs), for a remote database, or with
// SPILLWAY_INGEST_WORKERS=0, requests are ingested on the main thread.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { geoData } from './geoip';
import type { Ingester } from '../ingest/http';
import type { IngestResult } from '../ingest/responses';
import { databaseSettings, ingestWorkerCount } from './config';
import { metrics } from './metrics';

export const WORKER_BUNDLES = { parse: '.next/spillway/ingest-worker.mjs', write: '.next/spillway/ingest-writer.mjs' };

// how long a clean stop waits for the writing thread to keep its dedupe filter
const KEEP_WAIT_MS = 3_000;

interface Pending {
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
}

class Pipeline {
  private readonly pending = new Map<number, Pending>();
  private readonly busy: number[];
  private readonly parsers: Worker[];
  private readonly writer: Worker;
  private nextId = 1;

  /** requests handed to the threads and not answered yet */
  depth() {
    return this.pending.size;
  }
  // a field, not a local: the bundler follows a `new Worker(path)` it can compute, and the bundles are
  // files of the build, not modules of this one
  private file = '';

  constructor(url: string, n: number) {
    const channels = Array.from({ length: n }, () => new MessageChannel());
    this.writer = this.spawn(
      WORKER_BUNDLES.write,
      { url, parsers: channels.map((c) => c.port2) },
      channels.map((c) => c.port2),
    );
    const geo = geoData();
    this.parsers = channels.map((c) => this.spawn(WORKER_BUNDLES.parse, { writer: c.port1, geo }, [c.port1]));
    this.busy = this.parsers.map(() => 0);
  }

  private spawn(file: string, workerData: unknown, transferList: MessagePort[]): Worker {
    this.file = bundlePath(file);
    const w = new Worker(this.file, { workerData, transferList });
    w.unref();
    w.on('message', (m: { id: number; result: IngestResult }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      p?.resolve(m.result);
    });
    // a thread that dies fails what is in flight (answered 500, nothing stored): the next request starts a new pipeline
    const fail = (e: unknown) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      if (g[KEY] === this) g[KEY] = null;
      void this.stop();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`ingestion thread exited with code ${code}`)));
    return w;
  }

  ingest: Ingester = (raw, ctx) => {
    const id = this.nextId++;
    let k = 0;
    for (let i = 1; i < this.busy.length; i++) if (this.busy[i] < this.busy[k]) k = i;
    this.busy[k]++;
    return new Promise<IngestResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // the body's buffer moves to the thread: the request is done with it
      const whole = raw.body.byteOffset === 0 && raw.body.byteLength === raw.body.buffer.byteLength;
      this.parsers[k].postMessage({ id, raw, ctx }, whole ? [raw.body.buffer as ArrayBuffer] : []);
    }).finally(() => this.busy[k]--);
  };

  /** Stops the threads; with `keep`, the writing thread first keeps its dedupe filter for the next process (lib/ingest/level-filter.ts). */
  async stop(keep = false) {
    if (keep) {
      const writer = this.writer;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          writer.off('message', answer);
          resolve();
        };
        const answer = (m: { kept?: boolean }) => m.kept !== undefined && done();
        // a writer that does not answer (busy, stuck) is stopped anyway: the next process builds the filter
        const timer = setTimeout(done, KEEP_WAIT_MS);
        writer.on('message', answer);
        writer.postMessage({ type: 'keep' });
      });
    }
    await Promise.all([...this.parsers, this.writer].map((w) => w.terminate()));
  }
}

// the bundles are files of the build, found at run time: not traced into the route (turbopackIgnore)
const bundlePath = (file: string) => resolve(/* turbopackIgnore: true */ process.cwd(), file);

// on globalThis: start-up starts the threads and the route handlers use them, two bundles of one process
const KEY = Symbol.for('spillway.ingest-threads');
const g = globalThis as { [KEY]?: Pipeline | null };

/**
 * How ingestion routes store requests: on the pipeline's threads when they can run, else undefined (the
 * main thread). Start-up calls it first, so that the writing thread builds its dedupe filter before
 * requests come.
 */
export function ingestThreads(): Ingester | undefined {
  const pipeline = g[KEY];
  if (pipeline) return pipeline.ingest;
  const { url } = databaseSettings();
  const n = ingestWorkerCount();
  const bundled = Object.values(WORKER_BUNDLES).every((f) => existsSync(bundlePath(f)));
  if (n === 0 || !bundled || !url.startsWith('file:')) return undefined;
  const started = new Pipeline(url, n);
  g[KEY] = started;
  metrics().queueDepth = () => started.depth();
  return started.ingest;
}

/** Stops the threads (tests, shutdown); with `keep`, the writing thread keeps its dedupe filter first. */
export async function stopIngestThreads(keep = false) {
  const pipeline = g[KEY];
  g[KEY] = null;
  await pipeline?.stop(keep);
}
