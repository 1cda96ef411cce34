import { SESSION_COOKIE } from '../auth/session';
import { isHttps } from './request';

/** Session cookie: HttpOnly, SameSite=Lax, Secure unless the app is served over plain http (local use). */
export function sessionCookie(request: Request, token: string, expiresAt: number): string {
  const secure = isHttps(request);
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Expires=${new Date(expiresAt).toUTCString()}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export const clearSessionCookie = () => `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
