import { describe, expect, it } from 'vitest';
import { clientIp, parseTrustProxy } from './request';

const req = (headers: Record<string, string>) => new Request('http://app.example/x', { headers });

describe('client address', () => {
  it('is the socket address by default, whatever X-Forwarded-For says', () => {
    expect(clientIp(req({ 'x-spillway-peer': '::ffff:203.0.113.7', 'x-forwarded-for': '1.2.3.4' }), null)).toBe('203.0.113.7');
    expect(clientIp(req({ 'x-forwarded-for': '1.2.3.4' }), null)).toBeNull();
  });

  it('counts hops from the right behind trusted proxies', () => {
    const h = { 'x-spillway-peer': '10.0.0.2', 'x-forwarded-for': '6.6.6.6, 198.51.100.9, 10.0.0.1' };
    expect(clientIp(req(h), { hops: 1 })).toBe('10.0.0.1');
    expect(clientIp(req(h), { hops: 2 })).toBe('198.51.100.9');
    expect(clientIp(req(h), { hops: 9 })).toBe('6.6.6.6');
    // a platform proxy (no socket of ours): its X-Forwarded-For's last entry is the client
    expect(clientIp(req({ 'x-forwarded-for': 'forged, 198.51.100.9' }), { hops: 1 })).toBe('198.51.100.9');
  });

  it('skips trusted proxy addresses from the right', () => {
    const h = { 'x-spillway-peer': '10.0.0.2', 'x-forwarded-for': '6.6.6.6, 198.51.100.9, 10.0.0.1' };
    expect(clientIp(req(h), { addresses: ['10.0.0.0/8'] })).toBe('198.51.100.9');
  });

  it('reads SPILLWAY_TRUST_PROXY', () => {
    expect(parseTrustProxy(undefined)).toBeNull();
    expect(parseTrustProxy('false')).toBeNull();
    expect(parseTrustProxy('2')).toEqual({ hops: 2 });
    expect(parseTrustProxy('10.0.0.0/8, ::1')).toEqual({ addresses: ['10.0.0.0/8', '::1'] });
    expect(() => parseTrustProxy('proxy.example')).toThrow(/SPILLWAY_TRUST_PROXY/);
  });
});
