// The bare baseline of bench:ingest: a node:http server that reads each request's body, JSON.parses it
// and appends its events as NDJSON to a file, and nothing else (no validation, identity or database).
// Prints {"port"} once listening. Usage: node bare-server.mjs <ndjson file>
import http from 'node:http';
import { openSync, writeSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

const fd = openSync(process.argv[2], 'a');
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const { events } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: unknown[] };
    writeSync(fd, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 200, events_ingested: events.length }));
  });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })));
