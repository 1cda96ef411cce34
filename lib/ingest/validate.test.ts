import { describe, expect, it } from 'vitest';
import { isIngestResult } from './responses';
import { validateRequest } from './validate';

const ok = (body: unknown) => {
  const r = validateRequest(body, 2000);
  if (isIngestResult(r)) throw new Error(JSON.stringify(r.body));
  return r;
};
const err = (body: unknown) => {
  const r = validateRequest(body, 2000);
  if (!isIngestResult(r)) throw new Error('expected an error');
  return r;
};

describe('validateRequest', () => {
  it('accepts a minimal event', () => {
    const r = ok({ api_key: 'k', events: [{ user_id: 'user-1', event_type: 'x' }] });
    expect(r.events).toHaveLength(1);
    expect(r.minIdLength).toBe(5);
  });

  it('names the missing api_key and events fields', () => {
    expect(err({ events: [] }).body).toMatchObject({ code: 400, missing_field: 'api_key' });
    expect(err({ api_key: 'k' }).body).toMatchObject({ code: 400, missing_field: 'events' });
  });

  it('lists events missing event_type or any id by index', () => {
    const r = err({ api_key: 'k', events: [{ user_id: 'user-1', event_type: 'a' }, { user_id: 'user-2' }, { event_type: 'b' }] });
    expect(r.status).toBe(400);
    expect(r.body.events_with_missing_fields).toEqual({ event_type: [1], user_id: [2], device_id: [2] });
  });

  it('refuses an event with a too-short id even when the other id is good: nothing stored without its user', () => {
    // Amplitude's HTTP V2 API lists such events in events_with_invalid_id_lengths (the SDKs drop them)
    const r = err({
      api_key: 'k',
      events: [
        { user_id: 'ab', device_id: 'device-1', event_type: 'a' },
        { user_id: 'user-ok', event_type: 'b' },
        { device_id: 'dev', event_type: 'c' },
      ],
    });
    expect(r.status).toBe(400);
    expect(r.body.events_with_invalid_id_lengths).toEqual({ user_id: [0], device_id: [2] });
  });

  it('reports invalid id lengths when no id is left, honouring options.min_id_length', () => {
    const r = err({ api_key: 'k', events: [{ user_id: 'abc', event_type: 'a' }] });
    expect(r.body.events_with_invalid_id_lengths).toEqual({ user_id: [0] });
    expect(ok({ api_key: 'k', events: [{ user_id: 'abc', event_type: 'a' }], options: { min_id_length: 3 } }).events).toHaveLength(1);
  });

  it('refuses ids like "null" and wrong types', () => {
    const r = err({ api_key: 'k', events: [{ user_id: 'null', event_type: 'a' }, { device_id: 'dev-12', event_type: 'a', time: 'yesterday' }, 'nope'] });
    expect(r.body.events_with_invalid_fields).toEqual({ user_id: [0], time: [1], event: [2] });
  });

  it('refuses nesting deeper than 40 levels', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 45; i++) deep = (deep.x = {}) as Record<string, unknown>;
    expect(err({ api_key: 'k', events: [{ user_id: 'user-1', event_type: 'a', event_properties: root }] }).body.events_with_invalid_fields).toEqual({
      event_properties: [0],
    });
  });

  it('truncates long property strings to 1024 characters', () => {
    const r = ok({ api_key: 'k', events: [{ user_id: 'user-1', event_type: 'a', event_properties: { s: 'x'.repeat(5000) } }] });
    expect((r.events[0].event_properties!.s as string).length).toBe(1024);
  });

  it('answers 413 above 2000 events', () => {
    const events = Array.from({ length: 2001 }, () => ({ user_id: 'user-1', event_type: 'a' }));
    expect(err({ api_key: 'k', events }).status).toBe(413);
  });
});
