// Object key rules, the only place they live.
//   events:     {prefix}{projectId}_{yyyy-MM-dd}_{H}#{n}.json.gz   (n from 1)
//   merged ids: {prefix}-{orgId}_{yyyy-MM-dd}_{H}.json.gz
//   manifests:  {prefix}_spillway/manifests/{projectId or -orgId}_{yyyy-MM-dd}_{H}.json
//               (a folder starting with "_": Athena, Glue, Spark and Hive skip it, and no *.json.gz
//               glob over the data files matches it)
import { hourParts } from '../../util/hours';

/** A prefix as given at setup: no leading slash, a trailing slash added when missing. */
export function normalizePrefix(prefix: string | null | undefined): string {
  const p = (prefix ?? '').trim().replace(/^\/+/, '');
  return p === '' || p.endsWith('/') ? p : `${p}/`;
}

export function eventHourPrefix(prefix: string, projectId: number, hour: number): string {
  const { date, h } = hourParts(hour);
  return `${normalizePrefix(prefix)}${projectId}_${date}_${h}#`;
}

export function eventFileKey(prefix: string, projectId: number, hour: number, part: number): string {
  return `${eventHourPrefix(prefix, projectId, hour)}${part}.json.gz`;
}

export function mergedFileKey(prefix: string, orgId: number, hour: number): string {
  const { date, h } = hourParts(hour);
  return `${normalizePrefix(prefix)}-${orgId}_${date}_${h}.json.gz`;
}

/** The part number of an event file key under `hourPrefix`, or null when it is not one. */
export function partOfKey(hourPrefix: string, key: string): number | null {
  if (!key.startsWith(hourPrefix)) return null;
  const m = /^(\d+)\.json\.gz$/.exec(key.slice(hourPrefix.length));
  return m ? Number(m[1]) : null;
}

export const MANIFEST_FOLDER = '_spillway/manifests/';

/** The manifest of one exported hour: events of a project, or merged IDs of an organisation. */
export function manifestKey(prefix: string, kind: 'events' | 'merged', owner: number, hour: number): string {
  const { date, h } = hourParts(hour);
  return `${normalizePrefix(prefix)}${MANIFEST_FOLDER}${kind === 'merged' ? '-' : ''}${owner}_${date}_${h}.json`;
}
