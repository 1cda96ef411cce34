// Browser SDKs 2.x send the raw `user_agent` and leave the device fields to the server, as Amplitude
// parses it on its side; this fills them as Amplitude's own lines show them (a 2025 browser-SDK line:
// Chrome 137 on a Mac is os_name "Chrome", os_version "137", device_family "Mac OS X", device_type
// "Mac", device_model null; a 2021 amplitude-js line on an iPhone: "Apple iPhone" for both). Fields
// the client sent itself are kept. Uses Amplitude's own parser (MIT).
import UAParser from '@amplitude/ua-parser-js';
import type { ValidEvent } from './validate';

// real user agents are 100-300 characters; a longer one is not parsed (regex time grows with it)
const MAX_UA_LENGTH = 512;

type Fields = Partial<Record<'os_name' | 'os_version' | 'device_family' | 'device_type' | 'device_manufacturer', string>>;

/** Device family and type from the parsed OS and device, in the names Amplitude's lines use. */
function deviceOf(os: string | undefined, vendor: string | undefined, model: string | undefined): [string, string] | null {
  if (vendor === 'Apple' && model && /^(iPhone|iPad|iPod)/.test(model)) return [`Apple ${model}`, `Apple ${model}`];
  switch (os) {
    case 'Mac OS':
      return ['Mac OS X', 'Mac'];
    case 'Windows':
      return ['Windows', 'Windows'];
    case 'iOS':
      return ['iOS', 'iOS'];
    case 'Android':
      return ['Android', vendor && model ? `${vendor} ${model}` : 'Android'];
    case 'Chromium OS':
      return ['Chrome OS', 'Chromebook'];
    case 'Linux':
    case 'Ubuntu':
    case 'Debian':
    case 'Fedora':
      return ['Linux', 'Linux'];
    default:
      return null;
  }
}

/** What the user agent says, in the fields of an export line. */
export function userAgentFields(ua: string): Fields {
  const r = new UAParser(ua).getResult();
  const device = deviceOf(r.os.name, r.device.vendor, r.device.model);
  return {
    os_name: r.browser.name,
    os_version: r.browser.major,
    device_family: device?.[0],
    device_type: device?.[1],
    device_manufacturer: r.device.vendor,
  };
}

export function fillFromUserAgent(events: ValidEvent[]) {
  const cache = new Map<string, Fields>();
  for (const e of events) {
    const ua = e.user_agent;
    if (typeof ua !== 'string' || ua.length > MAX_UA_LENGTH) continue;
    let fields = cache.get(ua);
    if (!fields) cache.set(ua, (fields = userAgentFields(ua)));
    for (const [k, v] of Object.entries(fields)) if (e[k] === undefined && v) e[k] = v;
  }
}
