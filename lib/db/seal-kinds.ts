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

/** How a connection's event files are encoded: gzip NDJSON (Amplitude's), or Parquet (lib/export/files/parquet.ts). */
export const FILE_FORMATS = ['json', 'parquet'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/** What decides a connection's event seal. */
export interface EventsSpec {
  lineFormat: LineFormat;
  /** canonical text (lib/export/files/event-filter.ts), null for all */
  eventFilter: string | null;
  fileFormat: FileFormat;
}

/**
 * The seal of a connection's events: `events` (documented lines) or `events-current`, then `~` and 12
 * hex digits of its filter's SHA-256 when filtered, then `~parquet` for Parquet parts (whose columns
 * are the current line's, whatever the line format, which is JSON's).
 */
export function eventsSealKind(d: EventsSpec): SealKind {
  const base = d.fileFormat === 'parquet' || d.lineFormat === 'current' ? 'events-current' : 'events';
  const filter = d.eventFilter === null ? '' : `~${toHex(sha256(d.eventFilter)).slice(0, 12)}`;
  return `${base}${filter}${d.fileFormat === 'parquet' ? '~parquet' : ''}`;
}

/** The seal an export of `kind` for a connection uploads. */
export const sealKindOf = (kind: ExportKind, d: EventsSpec): SealKind => (kind === 'events' ? eventsSealKind(d) : 'merged');

/** Every project's events are sealed in this kind when no connection asks for another. */
export const DEFAULT_EVENTS: EventsSpec = { lineFormat: 'current', eventFilter: null, fileFormat: 'json' };

/** How a seal's parts are encoded. */
export const fileFormatOfSeal = (k: SealKind): FileFormat => (k.endsWith('~parquet') ? 'parquet' : 'json');

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
