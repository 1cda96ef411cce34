import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type EngineConfig } from './config';
import { ExportError } from '../s3/errors';
import { SealPartDamaged } from '../export/seal/store';
import { afterFailure, errorOf, POLICY } from './retry-policy';

const config: EngineConfig = { ...DEFAULT_CONFIG, s3: {}, maxTries: 3 };
const now = 1_000_000;

describe('afterFailure', () => {
  it("counts the customer's and the network's failures, and the last one fails the job with the alarm", () => {
    expect(afterFailure(config, 'access', 0, 5, now)).toMatchObject({ state: 'retry', tries: 1, alarm: false });
    expect(afterFailure(config, 'transient', 1, 5, now).dueAt).toBeGreaterThan(now);
    expect(afterFailure(config, 'access', 2, 5, now)).toEqual({ state: 'failed', tries: 3, dueAt: 5, alarm: true });
    expect(afterFailure(config, 'internal', 2, 5, now)).toMatchObject({ state: 'failed', alarm: true });
  });

  it("never counts a fault of Spillway's own storage, nor raises the alarm: due again at once", () => {
    for (const tries of [0, 2, 10]) expect(afterFailure(config, 'storage', tries, 5, now)).toEqual({ state: 'retry', tries, dueAt: now, alarm: false });
  });
});

describe('errorOf', () => {
  it("tells whose fault a run's error is, which picks its row of the policy", () => {
    const denied = new ExportError('access', 'PutObject', 'denied', 's3:PutObject');
    expect(errorOf(denied)).toBe(denied);
    expect(errorOf(new SealPartDamaged('part 2 does not match')).kind).toBe('transient');
    const full = Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL' });
    expect(errorOf(new Error('write failed', { cause: full })).kind).toBe('storage');
    expect(errorOf(new TypeError('x is undefined')).kind).toBe('internal');
    expect(POLICY.storage).toEqual({ countsTry: false, alarmsCustomer: false, ownFault: true, stopsTick: true });
    expect(Object.values(POLICY).filter((p) => p.stopsTick)).toHaveLength(1);
  });
});
