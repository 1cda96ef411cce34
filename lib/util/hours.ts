// UTC hour arithmetic: an export's unit is one hour of server upload time.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export const floorHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
export const floorDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/** `yyyy-MM-dd` and H (0-23, unpadded) of an hour, in UTC. */
export function hourParts(hour: number): { date: string; h: number } {
  const iso = new Date(hour).toISOString();
  return { date: iso.slice(0, 10), h: new Date(hour).getUTCHours() };
}
