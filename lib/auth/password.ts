// Password hashing with argon2id (Node-only, native). Each hash costs ~40 ms of CPU and ~19 MB, so at
// most two run at once (one per core) with a short queue; beyond it the caller gets Busy (503).
import { hash, verify } from '@node-rs/argon2';
import { AppError } from '../util/errors';

export const MIN_PASSWORD_LENGTH = 10;
const MAX_RUNNING = 2;
const MAX_WAITING = 16;

export class HashingBusy extends AppError {
  constructor() {
    super('busy', 'The server is busy checking passwords: try again in a few seconds');
  }
}

let running = 0;
const waiting: (() => void)[] = [];

async function bounded<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) {
    if (waiting.length >= MAX_WAITING) throw new HashingBusy();
    await new Promise<void>((r) => waiting.push(r));
  } else running++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export function checkPasswordPolicy(password: string): string | null {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) return `Password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 256) return 'Password must be at most 256 characters';
  return null;
}

export const hashPassword = (password: string) => bounded(() => hash(password));

// an account that does not exist is checked against this hash, so both take the same time
let dummy: Promise<string> | undefined;

/** Verifies a password; with no hash (unknown account) it does the same work and answers false. */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  const target = passwordHash ?? (await (dummy ??= hash(crypto.randomUUID())));
  try {
    const ok = await bounded(() => verify(target, password));
    return ok && passwordHash !== null;
  } catch (e) {
    if (e instanceof HashingBusy) throw e;
    return false;
  }
}
