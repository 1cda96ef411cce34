import { describe, expect, it } from 'vitest';
import { corsHeaders, originAllowed, parseAllowedOrigins, preflight } from './cors';

describe('preflight', () => {
  it('admits the caller, POST, the SDK headers and custom header names, for two hours', () => {
    const r = preflight(
      new Request('http://collect.example/2/httpapi', {
        method: 'OPTIONS',
        headers: {
          origin: 'https://shop.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'Content-Type, Content-Encoding, X-Custom, bad header',
        },
      }),
    );
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(r.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(r.headers.get('access-control-allow-headers')).toBe('content-type, content-encoding, accept, x-custom');
    expect(r.headers.get('access-control-max-age')).toBe('7200');
    expect(r.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('answers * without an Origin and never allows credentials', () => {
    expect(corsHeaders(null)['Access-Control-Allow-Origin']).toBe('*');
    expect(corsHeaders('null')['Access-Control-Allow-Origin']).toBe('*');
  });
});

describe('allowed origins', () => {
  it('normalises a list and refuses what is not an origin', () => {
    expect(parseAllowedOrigins('https://Shop.Example\nhttps://*.shop.example:8443/ https://shop.example')).toEqual([
      'https://shop.example',
      'https://*.shop.example:8443',
    ]);
    expect(parseAllowedOrigins(['http://localhost:3000'])).toEqual(['http://localhost:3000']);
    expect(parseAllowedOrigins('')).toBeNull();
    expect(parseAllowedOrigins(null)).toBeNull();
    for (const bad of ['shop.example', 'https://shop.example/path', 'ftp://x.example', 'https://a b', 'https://x:99999', [1]]) {
      expect(() => parseAllowedOrigins(bad), String(bad)).toThrow();
    }
  });

  it('matches exact origins and subdomain patterns; no Origin header always passes', () => {
    const list = JSON.stringify(['https://shop.example', 'https://*.cdn.example']);
    expect(originAllowed('https://shop.example', list)).toBe(true);
    expect(originAllowed('https://a.cdn.example', list)).toBe(true);
    expect(originAllowed('https://a.b.cdn.example', list)).toBe(true);
    expect(originAllowed('https://cdn.example', list)).toBe(false);
    expect(originAllowed('http://shop.example', list)).toBe(false);
    expect(originAllowed('https://shop.example.evil', list)).toBe(false);
    expect(originAllowed('https://evilcdn.example', list)).toBe(false);
    expect(originAllowed(null, list)).toBe(true);
    expect(originAllowed('https://anything.example', null)).toBe(true);
  });
});
