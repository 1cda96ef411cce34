import { describe, expect, it } from 'vitest';
import { enrichEvents } from './enrich';
import { groupsLineJson } from '../db/event-layout';
import { languageName } from './language';
import { userAgentFields } from './user-agent';
import type { ValidEvent } from './validate';

const MAC_CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/137.0.0.0 Safari/537.36';
const IPHONE_CHROME = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/93.0 Mobile/15E148 Safari/604.1';

describe('enrichment as Amplitude does it', () => {
  it('fills device fields from the user agent as Amplitude’s own lines show them', () => {
    // a 2025 browser-SDK line (amplitude-ts/2.16.1, Chrome 137 on a Mac): os Chrome 137, family "Mac OS X", type "Mac", model null
    expect(userAgentFields(MAC_CHROME)).toMatchObject({ os_name: 'Chrome', os_version: '137', device_family: 'Mac OS X', device_type: 'Mac' });
    // a 2021 amplitude-js line from an iPhone: "Apple iPhone" for both
    expect(userAgentFields(IPHONE_CHROME)).toMatchObject({ device_family: 'Apple iPhone', device_type: 'Apple iPhone', device_manufacturer: 'Apple' });
    expect(userAgentFields('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/137.0.0.0 Safari/537.36')).toMatchObject({
      device_family: 'Windows',
      device_type: 'Windows',
    });
  });

  it('names the language, keeps the client’s own values, and marks bare HTTP events', () => {
    expect(['en-GB', 'en_US', 'fr', 'pt-BR', 'English', 'klingon-ish'].map(languageName)).toEqual([
      'English',
      'English',
      'French',
      'Portuguese',
      'English',
      'klingon-ish',
    ]);
    const events: ValidEvent[] = [
      { index: 0, event_type: 'a', user_agent: MAC_CHROME, language: 'de-DE' },
      { index: 1, event_type: 'b', user_agent: MAC_CHROME, device_family: 'Mine', library: 'amplitude-ts/2.16.1' },
    ];
    enrichEvents(events, '/2/httpapi', null);
    expect(events[0]).toMatchObject({ device_family: 'Mac OS X', language: 'German', library: 'http/2.0' });
    expect(events[0].device_model).toBeUndefined();
    expect(events[1]).toMatchObject({ device_family: 'Mine', library: 'amplitude-ts/2.16.1' });
    const form: ValidEvent[] = [{ index: 0, event_type: 'a' }];
    enrichEvents(form, '/', null);
    expect(form[0].library).toBeUndefined();
  });

  it('writes groups as arrays of strings per type, as Amplitude’s lines carry them', () => {
    // a Segment-sent line: {"[Segment] Group":["90f9…"]}
    expect(groupsLineJson({ company: 'acme', team: [1, 'two'], '[Segment] Group': ['90f9'] })).toBe(
      '{"company":["acme"],"team":["1","two"],"[Segment] Group":["90f9"]}',
    );
    expect(groupsLineJson({})).toBeNull();
    expect(groupsLineJson(undefined)).toBeNull();
  });
});
