import { describe, expect, it } from 'vitest';
import { EVENT_KEYS, eventToJson, mergeToJson, type EventRow } from './format';
import { formatTimestamp } from './time';

const row: EventRow = {
  id: 1, projectId: 42, eventId: 7, uuid: '0f8fad5b-d9cb-469f-a165-70867728950e', eventType: 'Play "quoted" <b>', amplitudeEventType: null,
  amplitudeId: 99, userId: 'u\u00e9-1', deviceId: 'dev-1', sessionId: -1, insertId: 'ins', serverReceivedTime: Date.UTC(2020, 1, 15, 1, 0, 0, 123),
  serverUploadTime: Date.UTC(2020, 1, 15, 1, 0, 0, 124), processedTime: Date.UTC(2020, 1, 15, 1, 0, 0, 125), clientUploadTime: null,
  clientEventTime: Date.UTC(2020, 1, 15, 0, 59, 0), eventTime: Date.UTC(2020, 1, 15, 0, 59, 0), userCreationTime: Date.UTC(2020, 1, 1),
  appVersion: '1.0', startVersion: null, platform: 'Web', osName: null, osVersion: null, deviceBrand: null, deviceManufacturer: null,
  deviceModel: null, deviceFamily: null, deviceType: null, deviceCarrier: null, country: 'FR', region: null, city: null, dma: null,
  language: null, locationLat: 48.5, locationLng: null, ipAddress: null, library: null, idfa: null, adid: null, paying: null,
  isAttributionEvent: false, amplitudeAttributionIds: null, eventProperties: '{"a":[1,{"b":null}]}', userProperties: '{}', groups: '{}',
  groupProperties: '{}', data: '{"path":"/2/httpapi"}',
};

describe('eventToJson', () => {
  it('writes every schema key in the spec order, valid JSON', () => {
    const text = eventToJson(row);
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).toEqual([...EVENT_KEYS]);
    expect(EVENT_KEYS).toHaveLength(49);
    expect(parsed).toMatchObject({
      app: 42, amplitude_id: 99, event_id: 7, session_id: -1, $schema: 12, sample_rate: null, client_upload_time: null,
      event_type: 'Play "quoted" <b>', user_id: 'u\u00e9-1', location_lat: 48.5, location_lng: null, is_attribution_event: false,
      event_properties: { a: [1, { b: null }] }, data: { path: '/2/httpapi' },
      server_received_time: '2020-02-15 01:00:00.123000', event_time: '2020-02-15 00:59:00.000000',
    });
  });
  it('formats timestamps as UTC yyyy-MM-dd HH:mm:ss.SSSSSS', () => {
    expect(formatTimestamp(Date.UTC(2020, 1, 5, 9, 8, 7, 6))).toBe('2020-02-05 09:08:07.006000');
  });
  it('writes merged ids with epoch-ms times', () => {
    const m = { id: 1, projectId: 3, scope: 3, mergeTime: 1000, mergeServerTime: 2000, amplitudeId: 5, mergedAmplitudeId: 4 };
    expect(JSON.parse(mergeToJson(m))).toEqual({ scope: 3, merge_time: 1000, merge_server_time: 2000, amplitude_id: 5, merged_amplitude_id: 4 });
    expect(Object.keys(JSON.parse(mergeToJson(m)))).toEqual(['scope', 'merge_time', 'merge_server_time', 'amplitude_id', 'merged_amplitude_id']);
  });
});
