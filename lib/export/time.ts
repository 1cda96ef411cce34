// UTC hour arithmetic. (The timestamp text of export files is built in SQL: see format.ts.)
import { InputError } from '../util/errors';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export const floorHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
export const floorDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/** The `hours` (or `days`) query of the UI's time views: a whole number from 1 to `max` (default `fallback`). */
export function parseHoursWindow(raw: string | null, max: number, fallback = 48, name = 'hours'): number {
  const n = Number(raw ?? fallback);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InputError(`${name} must be a whole number from 1 to ${max}`, { field: name });
  return n;
}

/** `yyyy-MM-dd` and H (0-23, unpadded) of an hour, in UTC. */
export function hourParts(hour: number): { date: string; h: number } {
  const iso = new Date(hour).toISOString();
  return { date: iso.slice(0, 10), h: new Date(hour).getUTCHours() };
}
