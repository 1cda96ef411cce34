// JSON parsing with a bound on the work a request can cause. JSON.parse itself is fast, but what comes
// after it (validation, property operations, JSON.stringify, SQLite's JSON) costs per key, and a body
// of 1,000,000 tiny keys once held the event loop for seconds. One pass over the text counts keys,
// array items and depth without building anything, and refuses a shape over the limits before
// JSON.parse runs. Runtime-neutral.

export const JSON_LIMITS = {
  /** keys in one object: Amplitude's SDKs refuse property objects with more (it also bounds events) */
  maxKeys: 1_000,
  /** items in one array: well above the 2,000 events of a request, so that limit still answers 413 */
  maxItems: 10_000,
  /** keys plus array items in one request, all levels together: ~2,000 events of 100 fields each.
   *  Over it the answer is 413, so an SDK halves its batch and retries, as for a large body. */
  maxNodes: 250_000,
  /** whole-document nesting: 40 levels of properties under request → events → event */
  maxDepth: 43,
};

export type JsonLimits = typeof JSON_LIMITS;

export interface ShapeProblem {
  /** 413 when splitting the request would help (too much in all), 400 when one value is too wide or deep */
  status: 400 | 413;
  error: string;
}

/** The first limit the text breaks, null when within every limit. */
export function shapeError(text: string, limits: JsonLimits = JSON_LIMITS): ShapeProblem | null {
  const items = new Uint32Array(limits.maxDepth + 2);
  const isObject = new Uint8Array(limits.maxDepth + 2);
  let depth = 0;
  let nodes = 0;
  let pending = false; // a container just opened: its first item (if any) is next
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    if (pending) {
      pending = false;
      if (c !== 0x7d && c !== 0x5d) {
        items[depth] = 1;
        if (++nodes > limits.maxNodes) return tooManyNodes(limits);
      }
    }
    switch (c) {
      case 0x22: {
        // skip the string: find the closing quote that is not escaped
        let j = i + 1;
        for (;;) {
          j = text.indexOf('"', j);
          if (j < 0) return null; // unterminated: JSON.parse reports it
          let back = 0;
          while (text.charCodeAt(j - 1 - back) === 0x5c) back++;
          if (back % 2 === 0) break;
          j++;
        }
        i = j;
        break;
      }
      case 0x7b: // {
      case 0x5b: // [
        if (++depth > limits.maxDepth) return { status: 400, error: `Nesting deeper than ${limits.maxDepth - 3} levels of properties is refused` };
        isObject[depth] = c === 0x7b ? 1 : 0;
        items[depth] = 0;
        pending = true;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        if (depth > 0) depth--;
        break;
      case 0x2c: // ,
        if (depth === 0) break;
        if (++items[depth] > (isObject[depth] ? limits.maxKeys : limits.maxItems)) {
          const error = isObject[depth]
            ? `An object has more than ${limits.maxKeys.toLocaleString('en-US')} keys (Amplitude's limit for property objects)`
            : `An array has more than ${limits.maxItems.toLocaleString('en-US')} items`;
          return { status: 400, error };
        }
        if (++nodes > limits.maxNodes) return tooManyNodes(limits);
        break;
    }
  }
  return null;
}

const tooManyNodes = (limits: JsonLimits): ShapeProblem => ({
  status: 413,
  error: `Payload too large: more than ${limits.maxNodes.toLocaleString('en-US')} keys and array items in one request; send fewer events per request`,
});

export class ShapeError extends Error {
  constructor(readonly problem: ShapeProblem) {
    super(problem.error);
  }
}

/** JSON.parse behind the shape check. Throws ShapeError (over a limit) or SyntaxError (not JSON). */
export function parseBounded(text: string, limits: JsonLimits = JSON_LIMITS): unknown {
  const problem = shapeError(text, limits);
  if (problem) throw new ShapeError(problem);
  return JSON.parse(text);
}

// a surrogate escape in the text: the only way JSON can carry a lone surrogate (raw bytes are UTF-8-checked)
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;
// with the u flag a pair is one code point: this matches lone surrogates only
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Whether any key or string in `value` holds a lone surrogate, which cannot be stored as UTF-8: the
 * request is refused rather than changed. The walk runs only when the text has a surrogate escape.
 */
export function hasLoneSurrogate(text: string, value: unknown): boolean {
  if (!SURROGATE_ESCAPE.test(text)) return false;
  const walk = (v: unknown): boolean => {
    if (typeof v === 'string') return LONE_SURROGATE.test(v);
    if (Array.isArray(v)) return v.some(walk);
    if (v && typeof v === 'object') return Object.entries(v).some(([k, x]) => LONE_SURROGATE.test(k) || walk(x));
    return false;
  };
  return walk(value);
}
