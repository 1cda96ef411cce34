// Runs before the app's pages:
//  - POST / (and its preflight) from Amplitude's legacy SDKs goes to the legacy ingestion route;
//  - every page gets a Content-Security-Policy with a fresh nonce (Next.js puts it on its own
//    scripts), so no inline script runs unless the server wrote it; HSTS when served over HTTPS.
// API and ingestion routes are not matched: their bodies are not buffered here.
import { NextResponse, type NextRequest } from 'next/server';
import { isHttps } from './lib/server/request';

function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    // React sets style attributes; styles cannot run code
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

export function proxy(request: NextRequest) {
  if (request.nextUrl.pathname === '/' && (request.method === 'POST' || request.method === 'OPTIONS')) {
    const url = request.nextUrl.clone();
    url.pathname = '/legacy';
    return NextResponse.rewrite(url);
  }
  const nonce = btoa(crypto.randomUUID());
  const csp = contentSecurityPolicy(nonce);
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('content-security-policy', csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', csp);
  if (isHttps(request)) response.headers.set('strict-transport-security', 'max-age=31536000');
  return response;
}

export const config = {
  matcher: [
    {
      source: '/((?!api/|_next/static|_next/image|favicon\\.ico|2/httpapi|batch|httpapi|identify|groupidentify|legacy).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
