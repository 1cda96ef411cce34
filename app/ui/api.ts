'use client';
// Browser-side JSON calls to the app's API: errors carry the server's message.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

export async function api<T = Record<string, unknown>>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: 'same-origin',
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { error: text.slice(0, 200) };
  }
  if (!res.ok) {
    if (res.status === 401 && typeof window !== 'undefined' && !location.pathname.startsWith('/signin') && !location.pathname.startsWith('/setup')) {
      // back to the page asked for once signed in
      location.href = `/signin?next=${encodeURIComponent(location.pathname + location.search)}`;
    }
    throw new ApiError(res.status, String(body.error ?? `Request failed (${res.status})`), body);
  }
  return body as T;
}
