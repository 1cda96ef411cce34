// Realistic Amplitude-like events for the benchmarks: many users and devices, nested event and user
// properties, about 1.2 KB each as JSON (or smaller when `compact`, to fit /2/httpapi's 1 MB cap).
const PAGES = ['/', '/pricing', '/docs/getting-started', '/blog/announcing-v2', '/checkout', '/account/settings', '/search'];
const EVENTS = ['Page Viewed', 'Button Clicked', 'Song Played', 'Checkout Started', 'Order Completed', 'Search Performed', 'Signed In'];
const COUNTRIES = [
  ['United States', 'California', 'San Francisco'],
  ['Germany', 'Berlin', 'Berlin'],
  ['Japan', 'Tokyo', 'Tokyo'],
  ['Brazil', 'Sao Paulo', 'Sao Paulo'],
  ['India', 'Karnataka', 'Bengaluru'],
];

export function benchEvent(i: number, tag: string, opts: { users?: number; devices?: number; compact?: boolean; time?: number } = {}): Record<string, unknown> {
  const users = opts.users ?? 50_000;
  const devices = opts.devices ?? 80_000;
  const [country, region, city] = COUNTRIES[i % COUNTRIES.length];
  const e: Record<string, unknown> = {
    user_id: `user-${(i * 7919) % users}@example.com`,
    device_id: `device-${(i * 104729) % devices}-${tag.length}`,
    event_type: EVENTS[i % EVENTS.length],
    insert_id: `${tag}-${i}`,
    time: opts.time,
    session_id: 1_700_000_000_000 + (i % 5000) * 1000,
    app_version: `5.${i % 20}.${i % 7}`,
    platform: i % 3 ? 'Web' : 'iOS',
    os_name: i % 3 ? 'Chrome' : 'ios',
    os_version: i % 3 ? '131.0.0' : '18.1',
    device_model: i % 3 ? 'Mac' : 'iPhone16,2',
    language: 'en-US',
    country,
    region,
    city,
    ip: `203.0.113.${i % 250}`,
    event_properties: {
      path: PAGES[i % PAGES.length],
      referrer: `https://www.example.com/campaign/${i % 300}?utm_source=newsletter&utm_medium=email`,
      position: i % 12,
      experiment: { id: `exp-${i % 40}`, variant: i % 2 ? 'treatment' : 'control', exposures: [i % 3, i % 5, i % 7] },
      cart: opts.compact
        ? undefined
        : {
            items: [
              { sku: `SKU-${i % 900}`, qty: 1 + (i % 3), price: 19.99 },
              { sku: `SKU-${(i + 7) % 900}`, qty: 1, price: 5.5 },
            ],
            currency: 'USD',
          },
      note: 'x'.repeat(opts.compact ? 60 + (i % 80) : 180 + (i % 260)),
    },
    user_properties: { $set: { plan: ['free', 'pro', 'team'][i % 3], company_size: (i % 9) * 10, beta: i % 4 === 0 }, $add: { sessions: 1 } },
  };
  if (opts.time === undefined) delete e.time;
  return e;
}

export function benchEvents(n: number, tag: string, opts: Parameters<typeof benchEvent>[2] = {}, start = 0) {
  return Array.from({ length: n }, (_, k) => benchEvent(start + k, tag, opts));
}
