// Fixed-window attempt counter for sign-in (per email and per client address), in process memory.
const windows = new Map<string, { start: number; n: number }>();

export function tooManyAttempts(key: string, limit: number, windowMs: number, now = Date.now()): boolean {
  const w = windows.get(key);
  if (!w || now - w.start >= windowMs) {
    windows.set(key, { start: now, n: 1 });
    if (windows.size > 50_000) for (const [k, v] of windows) if (now - v.start >= windowMs) windows.delete(k);
    return false;
  }
  w.n++;
  return w.n > limit;
}
