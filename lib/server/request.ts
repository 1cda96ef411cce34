// Node-edge helpers shared by route handlers.
import { serverConfig } from './config';

export function clientIp(request: Request): string | null {
  const fwd = request.headers.get('x-forwarded-for');
  if (fwd) return fwd.split(',')[0].trim().slice(0, 64) || null;
  return request.headers.get('x-real-ip')?.slice(0, 64) ?? null;
}

/** The origin the browser used (Host / X-Forwarded-*), for links handed to people; SPILLWAY_APP_URL wins. */
export function publicOrigin(request: Request): string {
  const configured = serverConfig().appUrl;
  if (configured) return configured.replace(/\/+$/, '');
  const url = new URL(request.url);
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host') ?? url.host;
  const proto = request.headers.get('x-forwarded-proto') ?? url.protocol.replace(':', '');
  return `${proto === 'https' ? 'https' : 'http'}://${host}`;
}
