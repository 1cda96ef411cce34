// Amplitude shows a device's language by name ("English"), where SDKs send a locale code ("en-GB",
// navigator.language): the code's language, named in English by the platform's own ICU data. A value
// that is not a locale code (a name already, or anything else) is kept as sent.
const names = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
const cache = new Map<string, string>();

export function languageName(value: string): string {
  let name = cache.get(value);
  if (name !== undefined) return name;
  name = value;
  const m = /^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]{2,8})*$/.exec(value);
  if (m) {
    try {
      name = names.of(m[1].toLowerCase()) ?? value;
    } catch {
      // not a language code after all
    }
  }
  if (cache.size < 1_000) cache.set(value, name);
  return name;
}
