// The form a prepared request (lib/ingest/prepare.ts) crosses between threads in: all of its text in one
// string, its objects (user and group operations, groups) in one JSON text, its numbers in one
// Float64Array, its bytes in one Uint8Array. A structured clone of a thousand events' arrays, small
// strings and byte views cost the parsing thread ~5 ms and the writing thread ~4.5 ms and its garbage,
// measured; these four values cost ~2 and ~1.5 ms, and the typed arrays' buffers are transferred.
// Runtime-neutral.
import { R, ROW_COLUMNS, type Row } from './event-rows';
import type { GroupRef } from './groups';
import type { PreparedEvent, PreparedEvents } from './prepare';
import type { JsonObject } from './validate';

export interface PackedEvents {
  type: 'packed';
  kind: PreparedEvents['kind'];
  apiKey: string;
  count: number;
  text: string;
  /** [userOps, groups, groupOps] per event */
  objects: string;
  numbers: Float64Array;
  bytes: Uint8Array;
}

// per event, in `numbers`: eventTime, flags, the length of each text field (-1: null), then the bytes'
// lengths: the dedupe key's (0: none) and the event properties' when they are bytes (-1: text)
const TEXTS = ['userId', 'deviceId', 'rec', 'properties', 'keyPending'] as const;
const KEY_AT = 2 + TEXTS.length;
const PROPS_AT = KEY_AT + 1;
const WIDTH = PROPS_AT + 1;
const UUID = 16;
const KEY = 16;

/** The request in its wire form; `buffers` go in postMessage's transfer list. */
export function packPrepared(p: PreparedEvents): { packed: PackedEvents; buffers: ArrayBuffer[] } {
  const n = p.events.length;
  const numbers = new Float64Array(n * WIDTH);
  const texts: string[] = [];
  let byteLength = 0;
  for (const e of p.events) {
    byteLength += UUID + (e.dedupeKey ? KEY : 0);
    const props = e.row[R.event_properties];
    if (props instanceof Uint8Array) byteLength += props.byteLength;
  }
  const bytes = new Uint8Array(byteLength);
  let at = 0;
  const text = (slot: number, t: unknown) => {
    numbers[slot] = typeof t === 'string' ? t.length : -1;
    if (typeof t === 'string') texts.push(t);
  };
  for (let i = 0; i < n; i++) {
    const e = p.events[i];
    const props = e.row[R.event_properties];
    const base = i * WIDTH;
    numbers[base] = e.eventTime;
    numbers[base + 1] = e.row[R.flags] as number;
    // in TEXTS' order
    text(base + 2, e.row[R.user_id]);
    text(base + 3, e.row[R.device_id]);
    text(base + 4, e.row[R.rec]);
    text(base + 5, props);
    text(base + 6, e.keyPending);
    bytes.set(e.row[R.uuid] as Uint8Array, at);
    at += UUID;
    numbers[base + KEY_AT] = e.dedupeKey ? KEY : 0;
    if (e.dedupeKey) {
      bytes.set(e.dedupeKey, at);
      at += KEY;
    }
    numbers[base + PROPS_AT] = props instanceof Uint8Array ? props.byteLength : -1;
    if (props instanceof Uint8Array) {
      bytes.set(props, at);
      at += props.byteLength;
    }
  }
  const objects = JSON.stringify(p.events.map((e) => [e.userOps, e.groups, e.groupOps]));
  const packed: PackedEvents = { type: 'packed', kind: p.kind, apiKey: p.apiKey, count: n, text: texts.join(''), objects, numbers, bytes };
  return { packed, buffers: [numbers.buffer as ArrayBuffer, bytes.buffer as ArrayBuffer] };
}

/** The request as packPrepared found it. */
export function unpackPrepared(w: PackedEvents): PreparedEvents {
  const { numbers, bytes, text } = w;
  const events: PreparedEvent[] = new Array(w.count);
  let t = 0;
  let at = 0;
  const next = (len: number) => {
    if (len < 0) return null;
    t += len;
    return text.slice(t - len, t);
  };
  const objects = JSON.parse(w.objects) as [JsonObject | null, GroupRef[] | null, JsonObject | null][];
  for (let i = 0; i < w.count; i++) {
    const base = i * WIDTH;
    const row: Row = new Array(ROW_COLUMNS.length).fill(null);
    row[R.flags] = numbers[base + 1];
    row[R.user_id] = next(numbers[base + 2]);
    row[R.device_id] = next(numbers[base + 3]);
    row[R.rec] = next(numbers[base + 4]);
    row[R.event_properties] = next(numbers[base + 5]);
    const keyPending = next(numbers[base + 6]);
    const [userOps, groups, groupOps] = objects[i];
    row[R.uuid] = bytes.subarray(at, (at += UUID));
    const dedupeKey = numbers[base + KEY_AT] > 0 ? bytes.subarray(at, (at += KEY)) : null;
    const propsBytes = numbers[base + PROPS_AT];
    if (propsBytes >= 0) row[R.event_properties] = bytes.subarray(at, (at += propsBytes));
    events[i] = { row, eventTime: numbers[base], dedupeKey, keyPending, userOps, groups, groupOps };
  }
  return { type: 'events', kind: w.kind, apiKey: w.apiKey, events };
}
