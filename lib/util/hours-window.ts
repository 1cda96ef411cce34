// The window the UI's time views ask for, checked where the query is read.
import { InputError } from './errors';

/** The `hours` (or `days`) query of the UI's time views: a whole number from 1 to `max` (default `fallback`). */
export function parseHoursWindow(raw: string | null, max: number, fallback = 48, name = 'hours'): number {
  const n = Number(raw ?? fallback);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InputError(`${name} must be a whole number from 1 to ${max}`, { field: name });
  return n;
}
