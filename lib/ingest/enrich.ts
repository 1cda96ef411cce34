// What Amplitude adds to an event on its side, before it is stored: device fields from the user agent
// (user-agent.ts), the language by name (language.ts), and "http/2.0" as the library of an event sent
// to the HTTP API without one, as Amplitude's lines show. The client's own values win where it sent them.
import { languageName } from './language';
import { fillFromUserAgent } from './user-agent';
import type { ValidEvent } from './validate';

export const BARE_HTTP_LIBRARY = 'http/2.0';

export function enrichEvents(events: ValidEvent[], door: string) {
  fillFromUserAgent(events);
  const bareHttp = door === '/2/httpapi' || door === '/batch';
  for (const e of events) {
    if (typeof e.language === 'string') e.language = languageName(e.language);
    if (bareHttp && e.library === undefined) e.library = BARE_HTTP_LIBRARY;
  }
}
