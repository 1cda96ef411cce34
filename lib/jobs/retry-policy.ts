// What a failed run of an export job leads to, by whose fault it failed. The customer's side (a
// permission, the bucket, its endpoint) and Spillway's code count tries with backoff, and the last try
// fails the job and raises the alarm. Spillway's own storage (lib/db/storage-fault.ts: disk full,
// database busy or damaged, archive unreachable) is the operator's to fix: no try is counted, no alarm
// goes to the customer, and the job is due again at once; the tick that met the fault stops
// (lib/jobs/tick.ts), so the next tick tries again, until the fault clears.
import { backoffMs, type EngineConfig } from './config';
import type { ErrorKind } from '../s3/errors';

export interface AfterFailure {
  state: 'retry' | 'failed';
  tries: number;
  /** when the next try is due; a failed job keeps its old due time */
  dueAt: number;
  /** the destination's alarm (and its email) is raised */
  alarm: boolean;
}

/** The job's state after a failed run that had made `tries` tries before. */
export function afterFailure(config: EngineConfig, kind: ErrorKind, tries: number, dueAt: number, now: number): AfterFailure {
  if (kind === 'storage') return { state: 'retry', tries, dueAt: now, alarm: false };
  const next = tries + 1;
  const failed = next >= config.maxTries;
  return { state: failed ? 'failed' : 'retry', tries: next, dueAt: failed ? dueAt : now + backoffMs(config, next), alarm: failed };
}
