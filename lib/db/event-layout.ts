// How an event is laid out in event_rows: its columns, what `rec` holds and the bits of `flags`. Written
// by lib/ingest/event-rows.ts, read by lib/export/files/render.ts and the `events` view (migration 0007); one
// place for the three. Runtime-neutral.

/** event_rows' columns but its id, in the order ingestion binds them. */
export const EVENT_ROW_COLUMNS = [
  'project_id',
  'server_upload_time',
  'amplitude_id',
  'user_id',
  'device_id',
  'received_ago',
  'user_created',
  'flags',
  'merged_amplitude_id',
  'user_properties',
  'group_properties',
  'event_properties',
  'uuid',
  'rec',
  'user_props_set',
  'group_sets',
] as const;

// A row's user and group properties as its export line carries them: its own text, or (when large) the
// property_sets rows it names (lib/ingest/property-sets.ts). Used by the export's select
// (lib/export/files/render.ts) and, spelled out, by the `events` view (migration 0010).
export const USER_PROPERTIES_SQL = 'iif(user_props_set is null, user_properties, (select json from property_sets where id = user_props_set))';
export const GROUP_PROPERTIES_SQL =
  'iif(group_sets is null, group_properties, (select json_group_object(t, json(o)) from (select g.value ->> 0 as t, json_group_object(g.value ->> 1, json(p.json)) as o ' +
  'from json_each(group_sets) g join property_sets p on p.id = g.value ->> 2 group by 1 order by min(g.key))))';

/**
 * What `rec` holds, in order: the fields of an event that need nothing but the event itself, each as
 * its JSON literal, joined by REC_SEP (trailing nulls left out). First the ones every event has, then
 * the optional ones most often sent first. Times are milliseconds from server_received_time.
 */
export const REC_FIELDS = [
  'event_type',
  'session_id',
  'client_event',
  'event_time',
  'client_upload',
  '$insert_id',
  'event_id',
  'groups',
  'ip_address',
  'platform',
  'os_name',
  'os_version',
  'device_model',
  'language',
  'version_name',
  'library',
  'country',
  'region',
  'city',
  'device_manufacturer',
  'device_brand',
  'device_type',
  'device_family',
  'device_carrier',
  'dma',
  'start_version',
  'location_lat',
  'location_lng',
  'idfa',
  'adid',
  'amplitude_attribution_ids',
] as const;

export type RecField = (typeof REC_FIELDS)[number];

/** Position of each field in `rec`. */
export const REC = Object.fromEntries(REC_FIELDS.map((f, i) => [f, i])) as { [K in RecField]: number };

/** The optional string fields of `rec` and how an event names them. */
export const REC_STRINGS: readonly (readonly [RecField, string])[] = [
  ['ip_address', 'ip'],
  ['platform', 'platform'],
  ['os_name', 'os_name'],
  ['os_version', 'os_version'],
  ['device_model', 'device_model'],
  ['language', 'language'],
  ['version_name', 'app_version'],
  ['library', 'library'],
  ['country', 'country'],
  ['region', 'region'],
  ['city', 'city'],
  ['device_manufacturer', 'device_manufacturer'],
  ['device_brand', 'device_brand'],
  ['device_type', 'device_type'],
  ['device_family', 'device_family'],
  ['device_carrier', 'carrier'],
  ['dma', 'dma'],
  ['start_version', 'start_version'],
  ['idfa', 'idfa'],
  ['adid', 'adid'],
  ['amplitude_attribution_ids', 'amplitude_attribution_ids'],
];

/** Numbers of `rec` that were SQLite REAL columns once, rendered as such (lib/export/files/render.ts). */
export const REC_REALS: readonly RecField[] = ['location_lat', 'location_lng'];

/** `rec`'s separator: JSON text never holds this byte unescaped. */
export const REC_SEP = '\x01';

/** The doors events come in by (lib/ingest/http.ts IngestDoor), as `data.path` names them; their position is the stored code. */
export const PATHS: readonly string[] = ['/2/httpapi', '/batch', '/', '/httpapi', '/identify', '/groupidentify'];

export const FLAGS = {
  firstEvent: 1,
  propertiesUpdated: 2,
  /** 3 bits: index in PATHS */
  pathShift: 2,
  /** 2 bits each: 0 null, 1 false, 2 true */
  payingShift: 5,
  attributionShift: 7,
} as const;

export const tri = (v: boolean | null) => (v === null ? 0 : v ? 2 : 1);
export const fromTri = (bits: number): boolean | null => (bits === 0 ? null : bits === 2);

/** One group an event names: its type and one name (a number is named by its digits). */
export interface GroupRef {
  type: string;
  name: string;
}

/** The groups an event names: each type's value, or each item of its list, that is a string or a number. */
export function groupsOf(groups: Record<string, unknown> | undefined): GroupRef[] {
  if (!groups) return [];
  const out: GroupRef[] = [];
  for (const [type, v] of Object.entries(groups)) {
    for (const name of Array.isArray(v) ? v : [v]) {
      if (typeof name === 'string' || typeof name === 'number') out.push({ type, name: String(name) });
    }
  }
  return out;
}

/** The groups as Amplitude's lines carry them: each type's names as an array of strings (`{"company":["acme"]}`), or null for none. */
export function groupsByType(groups: Record<string, unknown> | undefined): Record<string, string[]> | null {
  // a Map, then its entries as own keys: a type may be named "__proto__"
  const byType = new Map<string, string[]>();
  for (const g of groupsOf(groups)) {
    const names = byType.get(g.type);
    if (names) names.push(g.name);
    else byType.set(g.type, [g.name]);
  }
  return byType.size ? Object.fromEntries(byType) : null;
}

/** groupsByType as JSON text, or null for none. */
export function groupsLineJson(groups: Record<string, unknown> | undefined): string | null {
  const byType = groupsByType(groups);
  return byType ? JSON.stringify(byType) : null;
}
