// A small fault-injecting HTTP proxy for S3 on loopback: forwards to the real server with the
// original Host header (so SigV4 still verifies), and at random answers 500 / 503 SlowDown, resets
// the connection (before or after the server handled the request), or delays the response.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultRates {
  /** answer 503 SlowDown without forwarding */
  slowDown: number;
  /** answer 500 InternalError without forwarding */
  internal: number;
  /** destroy the client socket before forwarding */
  resetBefore: number;
  /** forward, then destroy the client socket instead of answering (the server did the work) */
  resetAfter: number;
  /** delay the response by up to slowMs */
  slow: number;
  slowMs: number;
}

/** Deterministic PRNG (mulberry32) so a failing run can be replayed with its seed. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const xmlError = (code: string, message: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

export async function startFaultProxy(target: string, rates: FaultRates, seed = 1) {
  const t = new URL(target);
  const random = rng(seed);
  const stats = { requests: 0, slowDown: 0, internal: 0, resetBefore: 0, resetAfter: 0, slow: 0, forwarded: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    stats.requests++;
    const roll = random();
    let edge = 0;
    const pick = (p: number) => roll >= edge && roll < (edge += p);
    if (pick(rates.slowDown)) {
      stats.slowDown++;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' }).end(xmlError('SlowDown', 'Please reduce your request rate.'));
      return;
    }
    if (pick(rates.internal)) {
      stats.internal++;
      req.resume();
      res.writeHead(500, { 'content-type': 'application/xml' }).end(xmlError('InternalError', 'We encountered an internal error.'));
      return;
    }
    if (pick(rates.resetBefore)) {
      stats.resetBefore++;
      req.socket.destroy();
      return;
    }
    const resetAfter = pick(rates.resetAfter);
    const delay = pick(rates.slow) ? Math.floor(random() * rates.slowMs) : 0;
    stats.forwarded++;
    const upstream = httpRequest({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        if (resetAfter) {
          stats.resetAfter++;
          req.socket.destroy();
          return;
        }
        if (delay) stats.slow++;
        setTimeout(() => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(Buffer.concat(chunks));
        }, delay);
      });
    });
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
