// User and group property operations, applied in Amplitude's order. Keys without a leading `$`
// are plain sets (what SDKs send as `user_properties: {plan: 'pro'}`).
import { isObject, type JsonObject } from './validate';

const OPS = ['$clearAll', '$unset', '$setOnce', '$set', '$add', '$append', '$prepend', '$preInsert', '$postInsert', '$remove'] as const;

function toNumber(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Applies operations to a copy of `current`. Returns the new properties and whether anything changed.
 * Unknown `$`-operations are ignored (Amplitude ignores them too).
 */
export function applyPropertyOps(current: JsonObject, ops: JsonObject | undefined): { props: JsonObject; changed: boolean } {
  if (!ops || Object.keys(ops).length === 0) return { props: current, changed: false };
  const props: JsonObject = { ...current };
  const plainSets: JsonObject = {};
  for (const [k, v] of Object.entries(ops)) if (!k.startsWith('$')) plainSets[k] = v;
  for (const op of OPS) {
    const arg = op === '$set' ? { ...plainSets, ...(isObject(ops.$set) ? ops.$set : {}) } : ops[op];
    if (op === '$clearAll') {
      if (arg !== undefined && arg !== false) for (const k of Object.keys(props)) delete props[k];
      continue;
    }
    if (!isObject(arg)) continue;
    for (const [k, v] of Object.entries(arg)) {
      switch (op) {
        case '$unset': delete props[k]; break;
        case '$setOnce': if (!(k in props)) props[k] = v; break;
        case '$set': props[k] = v; break;
        case '$add': {
          const inc = toNumber(v);
          if (inc !== null) props[k] = (toNumber(props[k]) ?? 0) + inc;
          break;
        }
        case '$append': props[k] = [...asList(props[k]), ...asList(v)]; break;
        case '$prepend': props[k] = [...asList(v), ...asList(props[k])]; break;
        case '$postInsert': {
          const list = asList(props[k]);
          props[k] = [...list, ...asList(v).filter((x) => !list.some((y) => same(x, y)))];
          break;
        }
        case '$preInsert': {
          const list = asList(props[k]);
          props[k] = [...asList(v).filter((x) => !list.some((y) => same(x, y))), ...list];
          break;
        }
        case '$remove': {
          const drop = asList(v);
          props[k] = asList(props[k]).filter((x) => !drop.some((y) => same(x, y)));
          break;
        }
      }
    }
  }
  return { props, changed: !same(props, current) };
}
