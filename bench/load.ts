// The load generator of the ingestion benchmarks (bench:ingest, bench:scale): batches of 1,000 events
// posted on node:http with keep-alive, a few at a time, after warm-up requests that are not timed.
import http from 'node:http';
import { benchEvents } from './data';

export const BATCH = 1000;
// requests before the clock starts (not counted in events/s or latency; stored, so counted in bytes per event)
export const WARM_UP = 8;

export type Path = '/2/httpapi' | '/batch';

export const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export interface Bodies {
  timed: Buffer[];
  warmUp: Buffer[];
}

/** The request bodies of a run, encoded before any clock starts: each event with its own insert_id (no dedupe). */
export function bodiesFor(apiKey: string, tag: string, events: number, compact: boolean): Bodies {
  const body = (b: number) => Buffer.from(JSON.stringify({ api_key: apiKey, events: benchEvents(BATCH, tag, { compact }, b * BATCH) }));
  return {
    timed: Array.from({ length: events / BATCH }, (_, b) => body(b)),
    // the sustained rate: the first requests of a fresh server (code loaded, compiled) go before the clock
    warmUp: Array.from({ length: WARM_UP }, (_, b) => body(events / BATCH + b)),
  };
}

/**
 * Posts the bodies `c` at a time on node:http with keep-alive (light on the CPU the server shares):
 * events/s accepted and the latencies of the timed requests.
 */
export async function load(url: string, path: Path, b: Bodies, c: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: c });
  const { hostname, port } = new URL(url);
  const post = (body: Buffer) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        { hostname, port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let errors = 0;
  let accepted = 0;
  const drive = async (list: Buffer[]) => {
    const latencies: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: c }, async () => {
        for (;;) {
          const i = next++;
          if (i >= list.length) return;
          const s = performance.now();
          try {
            const r = await post(list[i]);
            if (r.status === 200) accepted += (JSON.parse(r.text) as { events_ingested?: number }).events_ingested ?? 0;
            else errors++;
          } catch {
            // a reset connection is an error of the run, not of the benchmark
            errors++;
          }
          latencies.push(performance.now() - s);
        }
      }),
    );
    return latencies;
  };
  await drive(b.warmUp);
  const warm = accepted;
  const t0 = performance.now();
  const latencies = (await drive(b.timed)).sort((x, y) => x - y);
  const ms = performance.now() - t0;
  agent.destroy();
  return { eps: (accepted - warm) / (ms / 1000), events: accepted - warm, accepted, errors, p50: pct(latencies, 50), p99: pct(latencies, 99) };
}
