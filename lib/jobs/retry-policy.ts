// What a failed run of an export job leads to: the one place that decides. Any error a run meets is
// first told apart by whose fault it is (errorOf), then the kind's row of POLICY says whether the try
// counts, whether the next try waits (backoff), whether the last try fails the job and alarms the
// customer (email to the admins and the creator), and whether the tick stops at once.
import { storageFault } from '../db/storage-fault';
import { SealChanged } from '../export/seal/seal';
import { SealPartDamaged } from '../export/seal/store';
import { ExportError, type ErrorKind } from '../s3/errors';
import { backoffMs, type EngineConfig } from './config';

export interface KindPolicy {
  /** the try counts toward EXPORT_MAX_TRIES (else the job is due again at once, tries unchanged) */
  countsTry: boolean;
  /** the last try fails the job and the customer is told what to fix */
  alarmsCustomer: boolean;
  /** Spillway's own fault: the operator's log says so */
  ownFault: boolean;
  /** the tick stops at the first such failure: the next tick tries again */
  stopsTick: boolean;
}

export const POLICY: Record<ErrorKind, KindPolicy> = {
  // a permission, the bucket, its region or credentials on the customer's side
  access: { countsTry: true, alarmsCustomer: true, ownFault: false, stopsTick: false },
  // 5xx, throttling, the network, a seal rebuilt under the run
  transient: { countsTry: true, alarmsCustomer: true, ownFault: false, stopsTick: false },
  // Spillway's database, disk or archive (lib/db/storage-fault.ts): the operator's to fix, every job
  // would meet it, so nothing is counted and no customer hears of it
  storage: { countsTry: false, alarmsCustomer: false, ownFault: true, stopsTick: true },
  // a bug of ours: retried with backoff; after the last try the job fails and the email says it is
  // Spillway's (lib/s3/errors.ts troubleshoot)
  internal: { countsTry: true, alarmsCustomer: true, ownFault: true, stopsTick: false },
};

/** Any error of a run as an ExportError: its kind picks the row of POLICY. */
export function errorOf(e: unknown): ExportError {
  if (e instanceof ExportError) return e;
  if (e instanceof SealPartDamaged || e instanceof SealChanged)
    return new ExportError('transient', 'export', `the hour's sealed files are being built again: ${(e as Error).message}`);
  const fault = storageFault(e);
  if (fault) return new ExportError('storage', 'export', fault.reason);
  return new ExportError('internal', 'export', (e as Error)?.message ?? String(e));
}

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
  const policy = POLICY[kind];
  if (!policy.countsTry) return { state: 'retry', tries, dueAt: now, alarm: false };
  const next = tries + 1;
  const failed = next >= config.maxTries;
  return { state: failed ? 'failed' : 'retry', tries: next, dueAt: failed ? dueAt : now + backoffMs(config, next), alarm: failed && policy.alarmsCustomer };
}
