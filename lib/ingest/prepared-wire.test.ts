import { expect, it } from 'vitest';
import { prepareRequest, type PreparedEvents } from './prepare';
import { packPrepared, unpackPrepared } from './prepared-wire';

const events = [
  // text properties, a dedupe key, user operations
  { device_id: 'device-1', user_id: 'ü-ser', event_type: 'Short', insert_id: 'i1', event_properties: { a: 1 }, user_properties: { $set: { plan: 'pro' } } },
  // properties long enough to be compressed (bytes), groups, no insert_id
  { device_id: 'device-2', event_type: 'Long ✓', event_properties: { note: 'x'.repeat(400), emoji: '😀' }, groups: { company: ['Acme', 7] } },
  // no device: its key waits for the project (keyPending), no properties at all
  { user_id: 'only-user', event_type: 'Keyless', insert_id: 'i3' },
  // group operations
  { user_id: 'user-4', event_type: '$groupidentify', groups: { company: 'Acme' }, group_properties: { $set: { size: 50 } } },
  { device_id: 'device-5', user_id: 'user-5', event_type: 'Empty strings', insert_id: '', event_properties: { s: '' }, user_properties: {} },
];

it('a prepared request crosses threads in its packed form unchanged', async () => {
  const prepared = (await prepareRequest({
    door: '/batch',
    body: new TextEncoder().encode(JSON.stringify({ api_key: 'k', events })),
    encoding: '',
    receivedAt: 1_700_000_000_000,
    ip: '203.0.113.9',
  })) as PreparedEvents;
  expect(prepared.type).toBe('events');
  const { packed, buffers } = packPrepared(prepared);
  // what postMessage does: a structured clone, the buffers moved
  const crossed = structuredClone(packed, { transfer: buffers });
  expect(unpackPrepared(crossed)).toEqual(prepared);
  expect(prepared.events.some((e) => e.row.some((v) => v instanceof Uint8Array && v.byteLength > 16))).toBe(true);
  expect(prepared.events.some((e) => e.keyPending !== null)).toBe(true);
});
