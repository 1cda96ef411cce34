// Request bodies shaped to cost the server as much as possible within the size caps, for the
// bounded-work tests and `npm run bench:hostile`. `ok` marks the worst shape that must be accepted.
export interface HostileShape {
  label: string;
  path: '/batch' | '/2/httpapi';
  body: () => string;
  ok?: boolean;
}

const keys = (n: number, value = '1') => Array.from({ length: n }, (_, i) => `"k${i}":${value}`).join(',');

export function hostileShapes(apiKey: string): HostileShape[] {
  const event = (props: string) => `{"api_key":"${apiKey}","events":[{"device_id":"hostile-1","event_type":"x","event_properties":${props}}]}`;
  return [
    { label: '1,000,000 keys in one object', path: '/batch', body: () => event(`{${keys(1_000_000)}}`) },
    {
      label: '2,000 events of 999 keys',
      path: '/batch',
      body: () =>
        `{"api_key":"${apiKey}","events":[${Array.from({ length: 2000 }, (_, i) => `{"device_id":"hostile-${i}","event_type":"x","event_properties":{${keys(999)}}}`).join(',')}]}`,
    },
    { label: 'an array of 5,000,000 items', path: '/batch', body: () => event(`{"a":[${'0,'.repeat(5_000_000)}0]}`) },
    {
      label: 'a 19 MB string',
      path: '/batch',
      body: () => JSON.stringify({ api_key: apiKey, events: [{ device_id: 'hostile-1', event_type: 'x'.repeat(19_000_000) }] }),
    },
    { label: '5,000 levels of nesting', path: '/batch', body: () => event(`{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`) },
    {
      // the most keys the limits let through: 2,000 events of 115 properties (~240,000 keys and items)
      label: 'largest accepted: 2,000 events x 115 keys',
      path: '/batch',
      ok: true,
      body: () =>
        `{"api_key":"${apiKey}","events":[${Array.from({ length: 2000 }, (_, i) => `{"device_id":"bulk-device-${i}","event_type":"x","insert_id":"bulk-${Date.now()}-${i}","event_properties":{${keys(115, '"value"')}}}`).join(',')}]}`,
    },
  ];
}
