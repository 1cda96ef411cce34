// The per-hour manifest: written after an hour's last part, so its presence means "this hour is
// complete". It lists each part's key, bytes, line count and SHA-256, and the hour's event count.
// Deterministic (no timestamps): re-exporting an hour rewrites it byte for byte, as its parts.
import type { ExportKind, FileFormat, LineFormat } from './format';
import { manifestKey } from './naming';
import { hourParts } from '../../util/hours';

export interface ManifestPart {
  key: string;
  bytes: number;
  lines: number;
  sha256: string | null;
}

export interface ManifestInput {
  kind: ExportKind;
  /** how the event lines are laid out (format.ts), recorded so a reader knows which schema a file has */
  lineFormat: LineFormat;
  hour: number;
  projectId: number;
  orgId: number;
  prefix: string;
  /** the connection's folder template (naming.ts), null when flat */
  folders: string | null;
  /** events: the filter of the event types in the files (canonical text), null for all */
  eventFilter: string | null;
  /** events: how the parts are encoded (recorded only for Parquet: JSON manifests stay as they were) */
  fileFormat: FileFormat;
  parts: ManifestPart[];
}

export function manifestFor(m: ManifestInput): { key: string; body: Uint8Array } {
  const { date, h } = hourParts(m.hour);
  const doc = {
    manifest_version: 1,
    kind: m.kind,
    ...(m.kind === 'events'
      ? {
          project_id: m.projectId,
          line_format: m.fileFormat === 'parquet' ? 'current' : m.lineFormat,
          ...(m.eventFilter ? { event_filter: JSON.parse(m.eventFilter) } : {}),
          ...(m.fileFormat === 'parquet' ? { file_format: 'parquet' } : {}),
        }
      : { org_id: m.orgId }),
    date,
    hour: h,
    hour_start_utc: new Date(m.hour).toISOString(),
    complete: true,
    events: m.parts.reduce((n, p) => n + p.lines, 0),
    parts: m.parts.map((p) => ({ key: p.key, bytes: p.bytes, lines: p.lines, sha256: p.sha256 })),
  };
  return {
    key: manifestKey({ prefix: m.prefix, folders: m.folders }, m.kind, m.projectId, m.orgId, m.hour),
    body: new TextEncoder().encode(`${JSON.stringify(doc, null, 2)}\n`),
  };
}
