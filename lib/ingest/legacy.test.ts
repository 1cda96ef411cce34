import { describe, expect, it } from 'vitest';
import { fromIdentification, fromLegacyEvent, legacyAnswer, readForm } from './legacy';
import { errorBody } from './responses';

describe('legacy form doors', () => {
  it('reads amplitude-js 8.x uploads: client, e, upload_time', () => {
    const body = new URLSearchParams({ client: 'key1', e: JSON.stringify([{ event_type: 'a' }]), v: '2', upload_time: '1700000000000', checksum: 'c' });
    expect(readForm('/', body.toString())).toEqual({
      apiKey: 'key1',
      json: '[{"event_type":"a"}]',
      items: [{ event_type: 'a' }],
      clientUploadTime: 1700000000000,
    });
  });

  it('takes one object or an array, and names a missing field', () => {
    expect(readForm('/identify', new URLSearchParams({ api_key: 'k', identification: '{"user_id":"u"}' }).toString())).toMatchObject({
      items: [{ user_id: 'u' }],
    });
    expect(readForm('/httpapi', 'api_key=k')).toMatchObject({ status: 400, body: { missing_field: 'event' } });
    expect(readForm('/', 'e=%5B%5D')).toMatchObject({ status: 400, body: { missing_field: 'api_key' } });
  });

  it('maps legacy event fields to HTTP V2 ones', () => {
    expect(fromLegacyEvent({ event_type: 'a', timestamp: 5, library: { name: 'amplitude-js', version: '8.21.10' }, uuid: 'u-1' })).toEqual({
      event_type: 'a',
      timestamp: 5,
      time: 5,
      library: 'amplitude-js/8.21.10',
      uuid: 'u-1',
      insert_id: 'u-1',
    });
    expect(fromLegacyEvent({ event_type: 'a', time: 7, timestamp: 5, insert_id: 'mine', uuid: 'u' })).toMatchObject({ time: 7, insert_id: 'mine' });
  });

  it('turns an identification into a $identify with only the Identify API fields', () => {
    expect(fromIdentification({ user_id: 'u1', user_properties: { a: 1 }, country: 'FR', event_type: 'sneaky', event_properties: { x: 1 } })).toEqual({
      event_type: '$identify',
      user_id: 'u1',
      user_properties: { a: 1 },
      country: 'FR',
    });
  });

  it('answers in words: success, or the error word with its reason in a header', () => {
    expect(legacyAnswer({ status: 200, body: {} }).text).toBe('success');
    const bad = legacyAnswer(errorBody(400, { error: 'Invalid API key: x' }));
    expect(bad).toMatchObject({ status: 400, text: 'invalid_api_key', headers: { 'X-Spillway-Error': 'Invalid API key: x' } });
    expect(legacyAnswer(errorBody(413, { error: 'Payload too large' })).text).toBe('Request Entity Too Large');
    expect(legacyAnswer(errorBody(400, { error: 'e', missing_field: 'e' })).text).toBe('missing_event');
  });
});
