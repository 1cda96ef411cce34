import { describe, expect, it } from 'vitest';
import { Throttle } from './throttle';

const events = (n: number, device = (i: number) => `d${i}`) => Array.from({ length: n }, (_, i) => ({ index: i, device_id: device(i) }));

describe('throttle', () => {
  it('limits one device to eps_threshold events per second, refusing the whole request', () => {
    const t = new Throttle();
    expect(t.check({ projectId: 1, events: events(30, () => 'same'), epsLimit: 30, now: 1000 })).toBeNull();
    const r = t.check({ projectId: 1, events: events(1, () => 'same'), epsLimit: 30, now: 1500 });
    expect(r?.status).toBe(429);
    expect(r?.body).toMatchObject({ code: 429, eps_threshold: 30, throttled_devices: { same: 31 }, throttled_events: [0] });
    expect(t.check({ projectId: 1, events: events(1, () => 'same'), epsLimit: 30, now: 2000 })).toBeNull();
  });

  it('counts nothing of a refused request: its other devices and users keep their whole allowance', () => {
    const t = new Throttle();
    expect(t.check({ projectId: 1, events: events(30, () => 'busy'), epsLimit: 30, now: 1000 })).toBeNull();
    const mixed = [
      { index: 0, device_id: 'calm', user_id: 'u1' },
      { index: 1, device_id: 'busy' },
      { index: 2, device_id: 'calm', user_id: 'u1' },
    ];
    const r = t.check({ projectId: 1, events: mixed, epsLimit: 30, now: 1100 });
    expect(r?.body).toMatchObject({ throttled_devices: { busy: 31 }, throttled_users: {}, throttled_events: [1] });
    expect(t.check({ projectId: 1, events: events(30, () => 'calm'), epsLimit: 30, now: 1200 })).toBeNull();
    expect(t.check({ projectId: 1, events: Array.from({ length: 30 }, (_, i) => ({ index: i, user_id: 'u1' })), epsLimit: 30, now: 1300 })).toBeNull();
  });

  it('limits an api key across all its devices, per project', () => {
    const t = new Throttle();
    expect(t.check({ projectId: 1, events: events(80), epsLimit: 30, keyEpsLimit: 100, now: 5000 })).toBeNull();
    const r = t.check({ projectId: 1, events: events(21), epsLimit: 30, keyEpsLimit: 100, now: 5100 });
    expect(r?.status).toBe(429);
    expect(r?.body).toMatchObject({ error: 'Too many requests for this api_key', eps_threshold: 100 });
    // another project has its own budget; the refused request counted nothing
    expect(t.check({ projectId: 2, events: events(100), epsLimit: 30, keyEpsLimit: 100, now: 5100 })).toBeNull();
    expect(t.check({ projectId: 1, events: events(20), epsLimit: 30, keyEpsLimit: 100, now: 5200 })).toBeNull();
  });
});
