// Object key rules, the only place they live. File names are Amplitude's:
//   events:     {projectId}_{yyyy-MM-dd}_{H}#{n}.json.gz   (n from 1; .parquet for Parquet parts)
//   merged ids: -{orgId}_{yyyy-MM-dd}_{H}.json.gz
//   manifests:  _spillway/manifests/{folders}{projectId or -orgId}_{yyyy-MM-dd}_{H}.json
//               (a folder starting with "_": Athena, Glue, Spark and Hive skip it, and no *.json.gz
//               glob over the data files matches it)
// under the connection's prefix, either flat (Amplitude's layout) or in folders from a template such
// as `{project}/{kind}/dt={date}/hour={HH}/`, so a reader prunes by date (Hive-style partitions).
import type { FileFormat } from './format';
import { hourParts } from '../../util/hours';

/** Where a connection's files go: its prefix, and the folder template (null: flat, as Amplitude). */
export interface KeyLayout {
  prefix: string;
  folders?: string | null;
}

/** A bare prefix means the flat layout. */
type Where = string | KeyLayout;
const asLayout = (w: Where): KeyLayout => (typeof w === 'string' ? { prefix: w } : w);

/** A connection's layout, from its row. */
export const layoutOf = (d: { prefix: string; keyFolders: string | null }): KeyLayout => ({ prefix: d.prefix, folders: d.keyFolders });

export type FileKind = 'events' | 'merged';

/** The template variables: each names one value of the file's hour or owner. */
export const FOLDER_VARIABLES = {
  project: "the connection's project id",
  kind: '"events" or "merged_ids"',
  date: 'yyyy-MM-dd',
  yyyy: 'the year',
  MM: 'the month, 01-12',
  dd: 'the day, 01-31',
  HH: 'the hour, 00-23',
  H: 'the hour, 0-23',
} as const;
type Variable = keyof typeof FOLDER_VARIABLES;

/** The template suggested when date folders are chosen: Athena's and DuckDB's partition columns dt and hour. */
export const SUGGESTED_FOLDERS = '{project}/{kind}/dt={date}/hour={HH}/';

const pad = (n: number) => String(n).padStart(2, '0');

function values(kind: FileKind, projectId: number, hour: number): Record<Variable, string> {
  const d = new Date(hour);
  const { date, h } = hourParts(hour);
  return {
    project: String(projectId),
    kind: kind === 'events' ? 'events' : 'merged_ids',
    date,
    yyyy: String(d.getUTCFullYear()),
    MM: pad(d.getUTCMonth() + 1),
    dd: pad(d.getUTCDate()),
    HH: pad(h),
    H: String(h),
  };
}

const expand = (template: string, v: Record<Variable, string>) => template.replace(/\{(\w+)\}/g, (_, name: Variable) => v[name]);

/** The folders of an hour's files under the prefix ('' when flat). */
function folderOf(l: KeyLayout, kind: FileKind, projectId: number, hour: number): string {
  return l.folders ? expand(l.folders, values(kind, projectId, hour)) : '';
}

/** A prefix as given at setup: no leading slash, a trailing slash added when missing. */
export function normalizePrefix(prefix: string | null | undefined): string {
  const p = (prefix ?? '').trim().replace(/^\/+/, '');
  return p === '' || p.endsWith('/') ? p : `${p}/`;
}

export function eventHourPrefix(w: Where, projectId: number, hour: number): string {
  const l = asLayout(w);
  const { date, h } = hourParts(hour);
  return `${normalizePrefix(l.prefix)}${folderOf(l, 'events', projectId, hour)}${projectId}_${date}_${h}#`;
}

/** The extension of an event file: Amplitude's gzip NDJSON, or Parquet. */
export const eventFileExtension = (fileFormat: FileFormat) => (fileFormat === 'parquet' ? 'parquet' : 'json.gz');

export function eventFileKey(w: Where, projectId: number, hour: number, part: number, extension = 'json.gz'): string {
  return `${eventHourPrefix(w, projectId, hour)}${part}.${extension}`;
}

export function mergedFileKey(w: Where, orgId: number, projectId: number, hour: number): string {
  const l = asLayout(w);
  const { date, h } = hourParts(hour);
  return `${normalizePrefix(l.prefix)}${folderOf(l, 'merged', projectId, hour)}-${orgId}_${date}_${h}.json.gz`;
}

/** The part number of an event file key under `hourPrefix` with `extension`, or null when it is not one. */
export function partOfKey(hourPrefix: string, key: string, extension = 'json.gz'): number | null {
  if (!key.startsWith(hourPrefix)) return null;
  const rest = key.slice(hourPrefix.length);
  const m = /^(\d+)\./.exec(rest);
  return m && rest.slice(m[0].length) === extension ? Number(m[1]) : null;
}

export const MANIFEST_FOLDER = '_spillway/manifests/';

/** The manifest of one exported hour: events of a project, or merged IDs of an organisation. */
export function manifestKey(w: Where, kind: FileKind, projectId: number, orgId: number, hour: number): string {
  const l = asLayout(w);
  const { date, h } = hourParts(hour);
  const owner = kind === 'merged' ? `-${orgId}` : String(projectId);
  return `${normalizePrefix(l.prefix)}${MANIFEST_FOLDER}${folderOf(l, kind, projectId, hour)}${owner}_${date}_${h}.json`;
}

/**
 * Key prefixes that hold every file of one UTC day of this kind, data and manifests (for listing a
 * day at a time): the key up to the day's part that does not vary within it.
 */
export function dayPrefixes(w: Where, kind: FileKind, projectId: number, orgId: number, day: number): string[] {
  const l = asLayout(w);
  const { date } = hourParts(day);
  const owner = kind === 'merged' ? `-${orgId}` : String(projectId);
  const root = normalizePrefix(l.prefix);
  if (!l.folders) return [`${root}${owner}_${date}_`, `${root}${MANIFEST_FOLDER}${owner}_${date}_`];
  // the template up to its first hour variable (date variables come before it: folderProblem)
  const cut = l.folders.search(/\{HH?\}/);
  const dayPart = expand(l.folders.slice(0, cut), values(kind, projectId, day));
  return [`${root}${dayPart}`, `${root}${MANIFEST_FOLDER}${dayPart}`];
}

/** Why a folder template cannot be used, or null. (The form calls it; the engine trusts stored ones.) */
export function folderProblem(template: string, exportsMerged: boolean): string | null {
  if (template.length > 200) return 'The folder template is longer than 200 characters.';
  if (template.startsWith('/')) return 'The folder template must not start with "/" (the prefix comes before it).';
  if (!template.endsWith('/')) return 'The folder template must end with "/" (the file names come after it).';
  for (const m of template.matchAll(/\{([^}]*)\}/g))
    if (!(m[1] in FOLDER_VARIABLES))
      return `{${m[1]}} is not a variable: use ${Object.keys(FOLDER_VARIABLES)
        .map((v) => `{${v}}`)
        .join(', ')}.`;
  const literal = template.replace(/\{\w+\}/g, '');
  if (/[{}]/.test(literal)) return 'A "{" or "}" in the folder template does not close a variable.';
  // S3's safe characters (AWS "Object key naming guidelines"), and "=" for Hive-style partitions
  if (!/^[A-Za-z0-9!\-_.*'()=/]*$/.test(literal)) return "The folder template may hold only letters, digits, variables and ! - _ . * ' ( ) = /.";
  const segments = template.slice(0, -1).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'The folder template has an empty, "." or ".." folder.';
  const hourAt = template.search(/\{HH?\}/);
  if (hourAt < 0) return 'The folder template must hold the hour ({HH} or {H}), so each hour has a folder of its own.';
  const before = template.slice(0, hourAt);
  if (!before.includes('{date}') && !['{yyyy}', '{MM}', '{dd}'].every((v) => before.includes(v)))
    return 'The folder template must hold the date ({date}, or {yyyy}, {MM} and {dd}) before the hour.';
  if (exportsMerged && !template.includes('{kind}'))
    return "With merged IDs exported, the folder template must hold {kind}, so their files stay out of the events' folders.";
  return null;
}
