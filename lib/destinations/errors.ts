// The errors of connection rules, by the one error type's codes (lib/util/errors.ts).
import type { VerifyResult } from './verify';
import { AppError } from '../util/errors';

/** The field's value is taken by another connection (another organisation's bucket, a merged-ID file): 409. */
export class ConflictError extends AppError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('conflict', message, { field });
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class VerificationFailed extends AppError {
  constructor(readonly result: VerifyResult) {
    super('verification_failed', 'Access verification failed: fix the permissions marked as missing, then verify again', { ...result });
  }
}
