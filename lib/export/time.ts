// UTC hour arithmetic and the one timestamp text format of export files.
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export const floorHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
export const floorDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/** `yyyy-MM-dd` and H (0-23, unpadded) of an hour, in UTC. */
export function hourParts(hour: number): { date: string; h: number } {
  const iso = new Date(hour).toISOString();
  return { date: iso.slice(0, 10), h: new Date(hour).getUTCHours() };
}

/**
 * Export timestamp text: `yyyy-MM-dd HH:mm:ss.SSSSSS`, UTC, no zone, microseconds (as in real Amplitude
 * export files; we store milliseconds, so the last three digits are 000).
 */
export function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2020-02-15T01:00:00.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}
