// CORS for the ingestion doors only (the admin API keeps its same-origin rules). Browser SDKs post
// from the customer's site: fetch and XHR with Content-Type application/json, Accept, and
// Content-Encoding gzip when compression is on; sendBeacon and amplitude-js send CORS-safelisted
// requests. No credentials are ever accepted, so answers name the caller's origin and nothing more.
// Runtime-neutral.

/** How long a browser may cache a preflight (Chromium caps it at 2 hours). */
export const PREFLIGHT_MAX_AGE_S = 7_200;

// what the official SDKs send, and what a `transport.headers` option may add (token characters only)
const SDK_HEADERS = ['content-type', 'content-encoding', 'accept'];
const HEADER_TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]{1,64}$/;
const MAX_EXTRA_HEADERS = 16;

/** Headers every ingestion answer carries for a browser caller (when its origin may send). */
export function corsHeaders(origin: string | null): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': origin && origin !== 'null' ? origin : '*',
    // Retry-After on 429/503; X-Spillway-Error carries the reason behind a form door's error word
    'Access-Control-Expose-Headers': 'Retry-After, X-Spillway-Error',
    Vary: 'Origin',
  };
}

/**
 * The preflight answer. The project (and so its allowed origins) is only known from the body, so
 * the preflight admits any origin; the POST itself is refused when the origin is not allowed.
 */
export function preflight(request: Request): Response {
  const requested = (request.headers.get('access-control-request-headers') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h && HEADER_TOKEN.test(h))
    .slice(0, MAX_EXTRA_HEADERS);
  const allow = [...new Set([...SDK_HEADERS, ...requested])];
  return new Response(null, {
    status: 204,
    headers: {
      ...corsHeaders(request.headers.get('origin')),
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      'Access-Control-Allow-Headers': allow.join(', '),
      'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_S),
      Vary: 'Origin, Access-Control-Request-Headers',
    },
  });
}

/**
 * A project's allowed origins: null (any), or a list of `scheme://host[:port]`, where a host may
 * start with `*.` for any subdomain. Returns the normalised list or throws a message for the user.
 */
export function parseAllowedOrigins(input: unknown): string[] | null {
  if (input === null || input === undefined || input === '') return null;
  const items = Array.isArray(input) ? input : typeof input === 'string' ? input.split(/[\s,]+/) : null;
  if (!items || items.some((x) => typeof x !== 'string')) throw new Error('Allowed origins must be a list of origins like https://shop.example');
  const out: string[] = [];
  for (const raw of (items as string[]).map((x) => x.trim()).filter(Boolean)) {
    const m = /^(https?):\/\/(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::(\d{1,5}))?\/?$/i.exec(raw);
    if (!m || (m[4] !== undefined && Number(m[4]) > 65535)) {
      throw new Error(`"${raw.slice(0, 80)}" is not an origin: write scheme://host[:port], e.g. https://shop.example or https://*.shop.example`);
    }
    const origin = `${m[1].toLowerCase()}://${m[2] ?? ''}${m[3].toLowerCase()}${m[4] ? `:${Number(m[4])}` : ''}`;
    if (!out.includes(origin)) out.push(origin);
  }
  if (out.length > 100) throw new Error('At most 100 allowed origins per project');
  return out.length ? out : null;
}

/** Whether a request from `origin` may send to a project with `allowed` (JSON text or null). */
export function originAllowed(origin: string | null, allowed: string | null): boolean {
  // no Origin header: a server, a mobile app or curl; the list restricts browsers only
  if (allowed === null || origin === null) return true;
  const list = JSON.parse(allowed) as string[];
  const o = origin.toLowerCase();
  return list.some((pattern) => {
    const star = pattern.indexOf('://*.');
    if (star < 0) return pattern === o;
    const scheme = pattern.slice(0, star + 3);
    const suffix = pattern.slice(star + 4); // ".shop.example[:port]"
    return (
      o.startsWith(scheme) && o.endsWith(suffix) && o.length > scheme.length + suffix.length && !o.slice(scheme.length, o.length - suffix.length).includes('/')
    );
  });
}
