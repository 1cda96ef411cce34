import { describe, expect, it } from 'vitest';
import { JSON_LIMITS, ShapeError, parseBounded, shapeError } from './bounded-json';

const obj = (n: number) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])));
const arr = (n: number) => JSON.stringify(Array.from({ length: n }, () => 0));

describe('shapeError', () => {
  it('admits objects up to 1,000 keys and arrays up to 10,000 items', () => {
    expect(shapeError(obj(1000))).toBeNull();
    expect(shapeError(arr(10_000))).toBeNull();
    expect(shapeError('{}')).toBeNull();
    expect(shapeError('[]')).toBeNull();
    expect(shapeError('"just a string"')).toBeNull();
  });

  it('refuses one key or item more, with 400', () => {
    expect(shapeError(obj(1001))).toEqual({ status: 400, error: expect.stringMatching(/more than 1,000 keys/) });
    expect(shapeError(arr(10_001))).toEqual({ status: 400, error: expect.stringMatching(/more than 10,000 items/) });
  });

  it('refuses nesting past 40 levels of properties under an event', () => {
    const nest = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
    const event = (props: string) => `{"api_key":"k","events":[{"event_type":"x","event_properties":${props}}]}`;
    // event_properties at depth 4 holds 39 more levels: 43 in all
    expect(shapeError(event(nest(40)))).toBeNull();
    expect(shapeError(event(nest(41)))).toEqual({ status: 400, error: expect.stringMatching(/Nesting deeper than 40/) });
    expect(shapeError('['.repeat(5000) + ']'.repeat(5000))?.status).toBe(400);
  });

  it('counts every key and item of the request together, answering 413 so an SDK halves its batch', () => {
    const events = Array.from({ length: 300 }, () => Object.fromEntries(Array.from({ length: 900 }, (_, i) => [`p${i}`, 1])));
    const problem = shapeError(JSON.stringify({ events }));
    expect(problem).toEqual({ status: 413, error: expect.stringMatching(/^Payload too large: more than 250,000 keys/) });
    expect(shapeError(JSON.stringify({ events: events.slice(0, 200) }))).toBeNull();
  });

  it('does not count what stands inside strings, escaped quotes included', () => {
    const tricky = JSON.stringify({ a: '{[,,,,]}"\\', b: ',,,'.repeat(5000), c: '\\"{,' });
    expect(shapeError(tricky)).toBeNull();
    expect(shapeError(JSON.stringify({ s: ','.repeat(20_000) }), { ...JSON_LIMITS, maxNodes: 5 })).toBeNull();
  });

  it('leaves syntax errors to JSON.parse', () => {
    expect(shapeError('{"a": "unterminated')).toBeNull();
    expect(() => parseBounded('{"a": "unterminated')).toThrow(SyntaxError);
    expect(() => parseBounded(obj(1001))).toThrow(ShapeError);
    expect(parseBounded('{"__proto__": {"x": 1}}')).toEqual(JSON.parse('{"__proto__": {"x": 1}}'));
  });
});
