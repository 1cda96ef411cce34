// The running app's API as a signed-in user (session cookie and the Origin its CSRF check wants), and its
// cron door run until no job is left: the steps of the app-level regression tests.
import type { RunningApp } from './app';

export type Api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => Promise<T>;

export async function signInApi(app: RunningApp, email: string, password: string): Promise<Api> {
  const r = await fetch(`${app.url}/api/auth/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: app.url },
    body: JSON.stringify({ email, password }),
  });
  if (r.status !== 200) throw new Error(`sign-in answered ${r.status}: ${await r.text()}`);
  const cookie = r.headers.get('set-cookie')!.split(';')[0];
  return async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { cookie, origin: app.url, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  };
}

/** Ticks through `GET /api/cron` until a tick finds no job (at most `max` ticks). */
export async function exportEverything(app: RunningApp, cronSecret: string, max = 10) {
  for (let i = 0; i < max; i++) {
    const r = await fetch(`${app.url}/api/cron`, { headers: { authorization: `Bearer ${cronSecret}` } });
    if (r.status !== 200) throw new Error(`cron answered ${r.status}: ${await r.text()}`);
    if (((await r.json()) as { jobs: number }).jobs === 0) return;
  }
}
