// Which event types a connection exports: all (no filter), only those listed, or all but those listed.
// An entry is an exact event type, or a prefix ending in `*` ("checkout*"). A filter is kept in its
// canonical form (entries sorted, each once), so two connections with the same filter share one seal
// of the hour, and the files of a filter are deterministic. Applied in SQL where the hour's rows are
// read (lib/export/seal/parts-from-rows.ts), so the line count of a seal is the filtered count.
import { toHex } from '../../util/hash';
import { sha256 } from '../../util/sha256';

export interface EventFilter {
  mode: 'include' | 'exclude';
  types: string[];
}

export const FILTER_LIMITS = { types: 200, chars: 1024 };

/** Why a filter cannot be used, or null. */
export function filterProblem(f: EventFilter): string | null {
  if (f.mode !== 'include' && f.mode !== 'exclude') return 'The filter is "include" or "exclude".';
  if (f.types.length === 0) return 'List at least one event type (or export all events).';
  if (f.types.length > FILTER_LIMITS.types) return `At most ${FILTER_LIMITS.types} event types.`;
  for (const t of f.types) {
    if (t.length === 0 || t.length > FILTER_LIMITS.chars) return `Each event type has 1 to ${FILTER_LIMITS.chars} characters.`;
    if (t.indexOf('*') !== -1 && t.indexOf('*') !== t.length - 1) return `"${t}": a * may only end an entry (a prefix such as checkout*).`;
    if (t === '*') return 'A lone * is every event: export all events instead.';
  }
  return null;
}

/** The filter's canonical form: entries sorted (by UTF-16 code units), each once. */
export function canonicalFilter(f: EventFilter): EventFilter {
  return { mode: f.mode, types: [...new Set(f.types)].sort() };
}

/** The stored text of a canonical filter (destinations.event_filter, seals.event_filter, manifests). */
export const filterText = (f: EventFilter) => JSON.stringify(canonicalFilter(f));

export const parseFilterText = (text: string | null): EventFilter | null => (text === null ? null : (JSON.parse(text) as EventFilter));

/** A short name of the filter for the seal kind: the same filter, the same seal. */
export const filterKey = (text: string) => toHex(sha256(text)).slice(0, 12);

/** Whether an event type passes the filter (the same rule as filterSql, for what is shown in the UI). */
export function passes(f: EventFilter | null, eventType: string): boolean {
  if (!f) return true;
  const listed = f.types.some((t) => (t.endsWith('*') ? eventType.startsWith(t.slice(0, -1)) : eventType === t));
  return f.mode === 'include' ? listed : !listed;
}

/**
 * The filter as an SQL condition on an event type expression, with its parameters: exact names by
 * equality, prefixes by substr (case-sensitive, and no character of a name is a wildcard, unlike LIKE).
 */
export function filterSql(f: EventFilter | null, typeExpr: string): { sql: string; params: string[] } {
  if (!f) return { sql: '1', params: [] };
  const exact = f.types.filter((t) => !t.endsWith('*'));
  const prefixes = f.types.filter((t) => t.endsWith('*')).map((t) => t.slice(0, -1));
  const terms = [
    ...(exact.length ? [`${typeExpr} in (${exact.map(() => '?').join(', ')})`] : []),
    ...prefixes.map((p) => `substr(${typeExpr}, 1, ${[...p].length}) = ?`),
  ];
  const any = `(${terms.join(' or ')})`;
  return { sql: f.mode === 'include' ? any : `not ${any}`, params: [...exact, ...prefixes] };
}
