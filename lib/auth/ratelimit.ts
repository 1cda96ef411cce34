// Failure counters for sign-in and invitation links, in process memory. Only failures count, and a
// success clears its (client, account) counter: a stranger's wrong guesses slow that stranger, never
// the real user on another client.
const windows = new Map<string, { start: number; n: number }>();

function current(key: string, windowMs: number, now: number) {
  const w = windows.get(key);
  return w && now - w.start < windowMs ? w : null;
}

/** Whether `key` has already failed `limit` times in the window (checked before any work). */
export function overLimit(key: string, limit: number, windowMs: number, now = Date.now()): boolean {
  return (current(key, windowMs, now)?.n ?? 0) >= limit;
}

/** Counts one failure for each key. */
export function recordFailure(keys: string[], windowMs: number, now = Date.now()) {
  for (const key of keys) {
    const w = current(key, windowMs, now);
    if (w) w.n++;
    else windows.set(key, { start: now, n: 1 });
  }
  if (windows.size > 50_000) for (const [k, v] of windows) if (now - v.start >= windowMs) windows.delete(k);
}

export function clearFailures(key: string) {
  windows.delete(key);
}
