// Stored event row (event_rows, lib/ingest/event-rows.ts) to its export line, in JavaScript, in either
// line format (format.ts): the documented one is the bytes SQLite's json_object() made from the old
// 49-column rows (test/support/oracle.ts keeps that SQL as the test oracle), at several times its speed;
// the current one has the same values under Amplitude's 55 keys of today. Every key is present (null where unknown);
// timestamps are UTC `yyyy-MM-dd HH:mm:ss.SSS000` as SQLite's strftime prints them, REAL values as its
// `%!.15g`, strings escaped as json_quote() does (which is JSON.stringify's escaping).
import {
  EVENT_ROW_COLUMNS,
  FLAGS,
  fromTri,
  GROUP_PROPERTIES_SQL,
  groupsByType,
  PATHS,
  REC,
  REC_FIELDS,
  REC_REALS,
  REC_SEP,
  USER_PROPERTIES_SQL,
} from '../../db/event-layout';
import { bytesOf } from '../../db/bulk';
import { lz4DecodeInto, lz4Length } from '../../util/lz4';
import { sha256 } from '../../util/sha256';
import { CURRENT_EVENT_KEYS, CURRENT_ONLY, EVENT_KEYS, SCHEMA_VERSION, type LineFormat } from './format';

/**
 * What a line is rendered from: event_rows' columns, read as ONE text per row (the fields joined by
 * \x02, a byte JSON text never holds unescaped) and event_properties as a second value (JSON text, or
 * its LZ4 bytes): the native driver's cost is per value, so 15 values a row made reading the slowest
 * part of sealing, and bytes in hex inside the text cost more to decode than a blob value. user_id and
 * device_id come JSON-quoted (the driver also cut strings at a NUL), the uuid formatted.
 */
export const LINE_COLUMNS = ['id', ...EVENT_ROW_COLUMNS.filter((c) => c !== 'event_properties' && c !== 'user_props_set' && c !== 'group_sets')];

const FIELD_SEP = '\x02';
const hexUuid = (part: [number, number]) => `substr(hex(uuid), ${part[0]}, ${part[1]})`;
const SQL_OF: Partial<Record<string, string>> = {
  user_id: 'json_quote(user_id)',
  device_id: 'json_quote(device_id)',
  // large properties are kept once, in property_sets: the line carries them whole
  user_properties: USER_PROPERTIES_SQL,
  group_properties: GROUP_PROPERTIES_SQL,
  // as the export writes it, quotes included
  uuid: `lower('"' || ${(
    [
      [1, 8],
      [9, 4],
      [13, 4],
      [17, 4],
      [21, 12],
    ] as [number, number][]
  )
    .map(hexUuid)
    .join(" || '-' || ")} || '"')`,
};

/** The select list a line is rendered from: the fields as one text, then event_properties. */
export const LINE_SELECT = `concat(${LINE_COLUMNS.map((c) => SQL_OF[c] ?? c).join(', char(2), ')}), event_properties`;

const C = Object.fromEntries(LINE_COLUMNS.map((c, i) => [c, i])) as { [K in 'id' | (typeof EVENT_ROW_COLUMNS)[number]]: number };

/** The id and server_upload_time of a row read with LINE_SELECT (where a page or a part ends). */
export function rowPosition(r: readonly unknown[]): { time: number; id: number } {
  const f = (r[0] as string).split(FIELD_SEP, C.server_upload_time + 1);
  return { time: Number(f[C.server_upload_time]), id: Number(f[C.id]) };
}

// SQLite's date functions work from -4713-11-24 12:00 to 9999-12-31 23:59:59.999 UTC; outside, NULL
const MIN_MS = -210_866_760_000_000;
const MAX_MS = 253_402_300_799_999;

const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
/** C's %03d: three characters, the sign counting as one. */
const pad3 = (n: number) => (n < 0 ? `-${String(-n).padStart(2, '0')}` : THREE[n]);
/** C's %04d for a year. */
const year4 = (y: number) => (y < 0 ? `-${String(-y).padStart(3, '0')}` : String(y).padStart(4, '0'));

// a line has five timestamps, mostly of one day: the date is kept, the time of day is arithmetic
let cachedDay = NaN;
let cachedDate = '';

/** `strftime('%Y-%m-%d %H:%M:%S', ms / 1000, 'unixepoch') || printf('.%03d000', ms % 1000)` as a JSON value. */
export function timestampJson(ms: number | null): string {
  if (ms === null) return 'null';
  // integer division in SQLite truncates toward zero, and % keeps the dividend's sign
  const sec = Math.trunc(ms / 1000);
  if (sec * 1000 < MIN_MS || sec * 1000 > MAX_MS) return 'null';
  const day = Math.floor(sec / 86_400);
  if (day !== cachedDay) {
    const d = new Date(day * 86_400_000);
    cachedDate = `${year4(d.getUTCFullYear())}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
    cachedDay = day;
  }
  const rem = sec - day * 86_400;
  const h = Math.floor(rem / 3600);
  const m = Math.floor((rem - h * 3600) / 60);
  return `"${cachedDate} ${TWO[h]}:${TWO[m]}:${TWO[rem - h * 3600 - m * 60]}.${pad3(ms % 1000)}000"`;
}

/** SQLite's `%!.15g` of a REAL: 15 significant digits, trailing zeros dropped but one kept after the point. */
export function realJson(x: number): string {
  if (x === 0) return '0.0';
  if (!Number.isFinite(x)) return x > 0 ? '9.0e+999' : x < 0 ? '-9.0e+999' : 'null';
  const [mantissa, expText] = x.toExponential(14).split('e');
  const exp = Number(expText);
  const digits = mantissa.replace('-', '').replace('.', '').replace(/0+$/, '') || '0';
  const sign = x < 0 ? '-' : '';
  if (exp < -4 || exp >= 15) {
    const frac = digits.slice(1) || '0';
    return `${sign}${digits[0]}.${frac}e${exp < 0 ? '-' : '+'}${two(Math.abs(exp))}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1) || '0';
  return `${sign}${int}.${frac}`;
}

const triJson = (bits: number) => {
  const v = fromTri(bits & 3);
  return v === null ? 'null' : v ? 'true' : 'false';
};

const decoder = new TextDecoder();
let scratch = new Uint8Array(1 << 16);

/** event_properties as JSON text: the text itself, or its LZ4 form decoded. */
export function propertiesJson(v: unknown): string {
  if (typeof v === 'string') return v;
  const bytes = bytesOf(v);
  const size = lz4Length(bytes);
  if (size > scratch.length) scratch = new Uint8Array(size);
  lz4DecodeInto(bytes, scratch, 0);
  return decoder.decode(scratch.subarray(0, size));
}

/** `rec` as its JSON literals, 'null' for the absent (REAL ones as SQLite prints them). */
function recOf(v: unknown): string[] {
  const out = (v as string).split(REC_SEP);
  while (out.length < REC_FIELDS.length) out.push('null');
  for (const f of REC_REALS) if (out[REC[f]] !== 'null') out[REC[f]] = realJson(Number(out[REC[f]]));
  return out;
}

function dataJson(flags: number, merged: unknown): string {
  let s = `{"path":${JSON.stringify(PATHS[(flags >> FLAGS.pathShift) & 7])}`;
  if (flags & FLAGS.firstEvent) s += ',"first_event":true';
  if (flags & FLAGS.propertiesUpdated) s += ',"user_properties_updated":true';
  if (merged !== null) s += `,"merged_amplitude_id":${merged}`;
  return `${s},"group_first_event":{},"group_ids":{}}`;
}

const orNull = (v: string) => (v === '' ? null : Number(v));

/** A line format compiled: the text between values (constants folded in), and which value goes in each slot. */
interface Layout {
  statics: string[];
  slots: number[];
}

// every value a line may carry, in the documented order; `$schema` is the format's constant
const SLOT = Object.fromEntries(EVENT_KEYS.map((k, i) => [k, i])) as Record<(typeof EVENT_KEYS)[number], number>;

function compile(keys: readonly string[], constants: Record<string, string>): Layout {
  const statics = ['{'];
  const slots: number[] = [];
  keys.forEach((k, i) => {
    statics[statics.length - 1] += `${i === 0 ? '' : ','}${JSON.stringify(k)}:`;
    if (k in constants) statics[statics.length - 1] += constants[k];
    else {
      slots.push(SLOT[k as keyof typeof SLOT]);
      statics.push('');
    }
  });
  statics[statics.length - 1] += '}';
  return { statics, slots };
}

const LAYOUTS: Record<LineFormat, Layout> = {
  documented: compile(EVENT_KEYS, { $schema: String(SCHEMA_VERSION) }),
  current: compile(CURRENT_EVENT_KEYS, { $schema: 'null', ...CURRENT_ONLY }),
};

/** The values of one stored row (LINE_SELECT), as JSON texts in the documented order (`$schema` left to the format). */
function lineValues(r: readonly unknown[]): string[] {
  const f = (r[0] as string).split(FIELD_SEP);
  const a = recOf(f[C.rec]);
  const sut = Number(f[C.server_upload_time]);
  const received = sut - Number(f[C.received_ago]);
  const eventTime = received + Number(a[REC.event_time]);
  const created = orNull(f[C.user_created]);
  const upload = a[REC.client_upload];
  const flags = Number(f[C.flags]);
  const eventType = a[REC.event_type];
  const eventId = a[REC.event_id];
  const groups = a[REC.groups];
  const uploadTs = timestampJson(sut);
  const merged = f[C.merged_amplitude_id];
  return [
    timestampJson(received),
    f[C.project_id],
    a[REC.device_carrier],
    '',
    a[REC.city],
    f[C.user_id],
    f[C.uuid],
    timestampJson(eventTime),
    a[REC.platform],
    a[REC.os_version],
    f[C.amplitude_id],
    uploadTs,
    timestampJson(created === null ? null : eventTime - created),
    a[REC.version_name],
    a[REC.ip_address],
    triJson(flags >> FLAGS.payingShift),
    a[REC.dma],
    f[C.group_properties] || '{}',
    f[C.user_properties],
    timestampJson(upload === 'null' ? null : received + Number(upload)),
    a[REC.$insert_id],
    eventType,
    a[REC.library],
    a[REC.amplitude_attribution_ids],
    a[REC.device_type],
    a[REC.device_manufacturer],
    a[REC.start_version],
    a[REC.location_lng],
    uploadTs,
    eventId === 'null' ? f[C.id] : eventId,
    a[REC.location_lat],
    a[REC.os_name],
    eventType.startsWith('"$') ? eventType : 'null',
    a[REC.device_brand],
    groups === 'null' ? '{}' : groups,
    propertiesJson(r[1]),
    dataJson(flags, merged === '' ? null : merged),
    f[C.device_id],
    a[REC.language],
    a[REC.device_model],
    a[REC.country],
    a[REC.region],
    triJson(flags >> FLAGS.attributionShift),
    a[REC.adid],
    a[REC.session_id],
    a[REC.device_family],
    'null',
    a[REC.idfa],
    timestampJson(received + Number(a[REC.client_event])),
  ];
}

function fill(layout: Layout, v: string[]): string {
  const { statics, slots } = layout;
  let out = statics[0];
  for (let i = 0; i < slots.length; i++) out += v[slots[i]] + statics[i + 1];
  return out;
}

/** One stored row (LINE_SELECT) as its export line in the documented format, without the newline. */
export function renderLine(r: readonly unknown[]): string {
  return fill(LAYOUTS.documented, lineValues(r));
}

/** A number that names `parts` within a project, the same in every export: 48 bits of their SHA-256. */
function stableId(...parts: (string | number)[]): number {
  const h = sha256(parts.join('\u0000'));
  return h[0] * 2 ** 40 + h[1] * 2 ** 32 + ((h[2] << 24) >>> 0) + (h[3] << 16) + (h[4] << 8) + h[5];
}

/**
 * `data.group_ids` as Amplitude's lines carry it, `{"<group type id>":[<group id>, …]}`: Amplitude's
 * ids are its own; these are numbers derived from the project and the names, stable across exports.
 */
function groupIdsJson(projectId: string, groups: Record<string, string[]>): string {
  const ids: Record<string, number[]> = {};
  for (const [type, names] of Object.entries(groups)) ids[stableId(projectId, type)] = names.map((n) => stableId(projectId, type, n));
  return JSON.stringify(ids);
}

const NO_GROUP_IDS = '"group_ids":{}}';

/**
 * One stored row as its line in the current format. Groups are arrays of strings, as rows stored
 * since Spillway writes them so hold them (older rows' groups are turned so here), with their ids in
 * `data.group_ids`.
 */
export function renderCurrentLine(r: readonly unknown[]): string {
  const v = lineValues(r);
  const groups = v[SLOT.groups];
  if (groups !== '{}') {
    const lists = groupsByType(JSON.parse(groups) as Record<string, unknown>);
    v[SLOT.groups] = lists ? JSON.stringify(lists) : '{}';
    if (lists) v[SLOT.data] = `${v[SLOT.data].slice(0, -NO_GROUP_IDS.length)}"group_ids":${groupIdsJson(v[SLOT.app], lists)}}`;
  }
  return fill(LAYOUTS.current, v);
}
