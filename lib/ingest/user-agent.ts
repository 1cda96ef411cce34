// Browser SDKs 2.x send the raw `user_agent` and leave the device fields to the server, as Amplitude
// parses it on its side. The mapping is amplitude-js 8.x's, so both SDKs fill the same columns:
// os_name/os_version = browser and major version, device_model = device model or OS, manufacturer =
// device vendor. Fields the client sent itself are kept. Uses Amplitude's own parser (MIT).
import UAParser from '@amplitude/ua-parser-js';
import type { ValidEvent } from './validate';

// real user agents are 100-300 characters; a longer one is not parsed (regex time grows with it)
const MAX_UA_LENGTH = 512;

export function fillFromUserAgent(events: ValidEvent[]) {
  const cache = new Map<string, Record<string, string | undefined>>();
  for (const e of events) {
    const ua = e.user_agent;
    if (typeof ua !== 'string' || ua.length > MAX_UA_LENGTH) continue;
    let fields = cache.get(ua);
    if (!fields) {
      const r = new UAParser(ua).getResult();
      fields = { os_name: r.browser.name, os_version: r.browser.major, device_model: r.device.model || r.os.name, device_manufacturer: r.device.vendor };
      cache.set(ua, fields);
    }
    for (const [k, v] of Object.entries(fields)) if (e[k] === undefined && v) e[k] = v;
  }
}
