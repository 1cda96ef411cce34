// Starts the built app with its server (server.mjs: `next start` plus the socket address) on a free
// loopback port, with its own environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { serverFlags } from '../../scripts/server-flags.mjs';

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

export interface RunningApp {
  url: string;
  proc: ChildProcess;
  logs: string[];
  stop(): Promise<void>;
}

/** `pollMs`: how often readiness is asked (a benchmark timing the start asks often). */
export async function startApp(env: Record<string, string>, pollMs = 250): Promise<RunningApp> {
  const port = await freePort();
  const logs: string[] = [];
  const proc = spawn(process.execPath, [...serverFlags({ ...process.env, ...env }), resolve('server.mjs'), '--port', String(port), '--hostname', '127.0.0.1'], {
    // the stores of the tests (radosgw, fault proxies) are on loopback
    env: { ...process.env, NODE_ENV: 'production', SPILLWAY_SCHEDULER: 'off', SPILLWAY_ALLOW_PRIVATE_ENDPOINTS: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d) => logs.push(String(d)));
  proc.stderr!.on('data', (d) => logs.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`next start exited ${proc.exitCode}:\n${logs.join('')}`);
    try {
      const r = await fetch(`${url}/api/setup`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`next start did not come up:\n${logs.join('')}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return {
    url,
    proc,
    logs,
    stop: () =>
      new Promise<void>((r) => {
        if (proc.exitCode !== null) return r();
        proc.once('exit', () => r());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
      }),
  };
}
