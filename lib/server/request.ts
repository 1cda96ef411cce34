// Node-edge helpers shared by route handlers.
export function clientIp(request: Request): string | null {
  const fwd = request.headers.get('x-forwarded-for');
  if (fwd) return fwd.split(',')[0].trim().slice(0, 64) || null;
  return request.headers.get('x-real-ip')?.slice(0, 64) ?? null;
}
