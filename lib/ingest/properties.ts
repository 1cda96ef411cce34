// User and group property operations, applied in Amplitude's order. Keys without a leading `$`
// are plain sets (what SDKs send as `user_properties: {plan: 'pro'}`).
import { PROPERTY_LIMITS, propertiesFit } from './property-limits';
import { isObject, type JsonObject } from './validate';

const OPS = ['$clearAll', '$unset', '$setOnce', '$set', '$add', '$append', '$prepend', '$preInsert', '$postInsert', '$remove'] as const;

function toNumber(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

// "__proto__" is a property name like any other in event data: defined, not assigned (an assignment
// would set the prototype); other keys are assigned, which is faster
const put = (o: JsonObject, k: string, v: unknown) => {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
};

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
/** The items of `list` not in `of` (by JSON value): one pass over each, not a comparison of every pair. */
const notIn = (list: unknown[], of: unknown[]) => {
  const seen = new Set(of.map((x) => JSON.stringify(x)));
  return list.filter((x) => !seen.has(JSON.stringify(x)));
};
const { maxListItems } = PROPERTY_LIMITS;
/** A list kept to the limit: its newest items (appended at the end) or its first (prepended). */
const newest = (list: unknown[]) => (list.length > maxListItems ? list.slice(list.length - maxListItems) : list);
const first = (list: unknown[]) => (list.length > maxListItems ? list.slice(0, maxListItems) : list);

/**
 * Applies operations to a copy of `current` (whose JSON the caller may pass, to spare a stringify).
 * Returns the new properties, whether anything changed, and their JSON.
 * Unknown `$`-operations are ignored (Amplitude ignores them too). Lists are kept to
 * PROPERTY_LIMITS.maxListItems; operations that would make the properties larger than the limits are
 * not applied at all (`refused`), so nothing is half-written.
 */
export function applyPropertyOps(
  current: JsonObject,
  ops: JsonObject | undefined,
  currentJson = JSON.stringify(current),
): { props: JsonObject; changed: boolean; json: string; refused?: true } {
  if (!ops || Object.keys(ops).length === 0) return { props: current, changed: false, json: currentJson };
  const props: JsonObject = { ...current };
  let plainSets: JsonObject | null = null;
  for (const k in ops) if (!k.startsWith('$')) put((plainSets ??= {}), k, ops[k]);
  for (const op of OPS) {
    const arg = op === '$set' && plainSets ? { ...plainSets, ...(isObject(ops.$set) ? ops.$set : {}) } : ops[op];
    if (arg === undefined) continue;
    if (op === '$clearAll') {
      if (arg !== undefined && arg !== false) for (const k of Object.keys(props)) delete props[k];
      continue;
    }
    if (!isObject(arg)) continue;
    for (const [k, v] of Object.entries(arg)) {
      const cur = Object.hasOwn(props, k) ? props[k] : undefined;
      switch (op) {
        case '$unset':
          delete props[k];
          break;
        case '$setOnce':
          if (!Object.hasOwn(props, k)) put(props, k, v);
          break;
        case '$set':
          put(props, k, v);
          break;
        case '$add': {
          const inc = toNumber(v);
          if (inc !== null) put(props, k, (toNumber(cur) ?? 0) + inc);
          break;
        }
        case '$append':
          put(props, k, newest([...asList(cur), ...asList(v)]));
          break;
        case '$prepend':
          put(props, k, first([...asList(v), ...asList(cur)]));
          break;
        case '$postInsert': {
          const list = asList(cur);
          put(props, k, newest([...list, ...notIn(asList(v), list)]));
          break;
        }
        case '$preInsert': {
          const list = asList(cur);
          put(props, k, first([...notIn(asList(v), list), ...list]));
          break;
        }
        case '$remove':
          put(props, k, notIn(asList(cur), asList(v)));
          break;
      }
    }
  }
  const json = JSON.stringify(props);
  if (json === currentJson) return { props: current, changed: false, json: currentJson };
  if (!propertiesFit(props, json)) return { props: current, changed: false, json: currentJson, refused: true };
  return { props, changed: true, json };
}
