// Serves the built app as `next start` does, plus one thing Next.js cannot: each request's socket
// address, in the `x-spillway-peer` header (a value sent by the client is overwritten). Route handlers
// get no socket, and X-Forwarded-For is whatever the client wrote unless a proxy in front is trusted
// (SPILLWAY_TRUST_PROXY): rate limits need an address the client cannot choose.
// Usage: node server.mjs [--port 3000] [--hostname 0.0.0.0]   (PORT is read too)
import { createServer } from 'node:http';
import next from 'next';

const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const port = Number(arg('port') ?? process.env.PORT ?? 3000);
const hostname = arg('hostname') ?? '0.0.0.0';

const app = next({ dev: false, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  req.headers['x-spillway-peer'] = req.socket.remoteAddress ?? '';
  handle(req, res);
});
server.listen(port, hostname, () => console.log(`spillway: listening on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`));
// a clean stop: no new requests, then the app's own stop (lib/server/shutdown.ts: ingestion's dedupe filter
// kept for the next process), within 5 s
const shutdown = Symbol.for('spillway.shutdown');
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(async () => {
      await globalThis[shutdown]?.().catch((e) => console.error('spillway: clean stop failed:', e.message));
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
