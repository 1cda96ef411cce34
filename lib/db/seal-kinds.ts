// The line formats a connection writes (lib/export/files/format.ts renders them) and the seals an hour has:
// its events once per line format and event filter its connections write, its merged IDs once. Here, in the database's vocabulary, because
// ingestion (lib/ingest/late-rows.ts) marks seals stale as well as the export engine building them;
// the SQL helpers say the same rule in statements. Runtime-neutral.
import { toHex } from '../util/hash';
import { sha256 } from '../util/sha256';

/**
 * How a connection's event lines are laid out: `current`, as Amplitude writes them today (55 keys,
 * alphabetical, `$schema` null, groups as arrays of strings), the default; `documented`, the 49 keys of
 * Amplitude's documented schema in its order with `$schema` 12, which connections made before
 * `current` existed keep until their admin switches (their readers' tables were built on it).
 */
export const LINE_FORMATS = ['current', 'documented'] as const;
export type LineFormat = (typeof LINE_FORMATS)[number];

/**
 * What a seal holds: the events of an hour in one line format ('events': documented, 'events-current'),
 * of only the types an event filter lets through (`~` and 12 hex digits of the filter's SHA-256
 * follow), or its merged IDs (one format, never filtered).
 */
export type SealKind = `events${string}` | 'merged';
export type ExportKind = 'events' | 'merged';

/** The seal of a connection's events: its line format and its event filter (canonical text, lib/export/files/event-filter.ts). */
export function eventsSealKind(format: LineFormat, eventFilter: string | null): SealKind {
  const base = format === 'current' ? 'events-current' : 'events';
  return eventFilter === null ? base : `${base}~${toHex(sha256(eventFilter)).slice(0, 12)}`;
}

/** The seal an export of `kind` for a connection uploads. */
export const sealKindOf = (kind: ExportKind, d: { lineFormat: LineFormat; eventFilter: string | null }): SealKind =>
  kind === 'events' ? eventsSealKind(d.lineFormat, d.eventFilter) : 'merged';

/** The line format of an event seal's lines. */
export const lineFormatOfSeal = (k: SealKind): LineFormat => (k.startsWith('events-current') ? 'current' : 'documented');

/** Every event seal is built from the same rows. */
export const isEventsKind = (k: string) => k.startsWith('events');
/** The export kind a seal is for (its files' names and manifests). */
export const exportKindOf = (k: SealKind): ExportKind => (isEventsKind(k) ? 'events' : 'merged');

/** isEventsKind as a LIKE pattern, and in SQL over a column expression. */
export const EVENT_SEAL_PATTERN = 'events%';
export const eventSealSql = (column: string) => `${column} like '${EVENT_SEAL_PATTERN}'`;

/** sealKindOf in SQL, over a job's kind and its connection's stored events seal kind (destinations.events_seal_kind). */
export const sealKindSql = (kind: string, eventsKind: string) => `(case when ${kind} = 'events' then ${eventsKind} else ${kind} end)`;
