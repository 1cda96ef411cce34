// What Amplitude adds to an event on its side, before it is stored: device fields from the user agent
// (user-agent.ts), the language by name (language.ts), country, region and city from the IP address
// (geo.ts), and "http/2.0" as the library of an event sent to the HTTP API without one, as Amplitude's
// lines show. The client's own values win where it sent them.
import { isJsonDoor } from './doors';
import { placeOf } from './geo';
import { languageName } from './language';
import { fillFromUserAgent } from './user-agent';
import type { ValidEvent } from './validate';

export const BARE_HTTP_LIBRARY = 'http/2.0';

/** `senderIp`: the request's address, which events without their own `ip` (or with "$remote") were sent from. */
export function enrichEvents(events: ValidEvent[], door: string, senderIp: string | null) {
  fillFromUserAgent(events);
  const bareHttp = isJsonDoor(door);
  for (const e of events) {
    if (typeof e.language === 'string') e.language = languageName(e.language);
    if (bareHttp && e.library === undefined) e.library = BARE_HTTP_LIBRARY;
    // a location the client sent is kept whole: not mixed with a looked-up one
    if (e.country === undefined && e.region === undefined && e.city === undefined) {
      const ip = typeof e.ip === 'string' && e.ip !== '$remote' ? e.ip : senderIp;
      const place = ip ? placeOf(ip) : null;
      if (place) {
        e.country = place.country;
        if (place.region) e.region = place.region;
        if (place.city) e.city = place.city;
      }
    }
  }
}
