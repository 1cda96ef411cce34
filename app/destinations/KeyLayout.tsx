'use client';
// Where a connection's files go under its prefix, in the setup wizard and Manage Export Settings:
// Amplitude's flat names, or date folders from a template (lib/export/files/naming.ts checks it and
// names the files; the server answers a bad template with the reason, shown under the field).
import type { FileFormat } from '@/lib/export/files/format';
import { eventFileExtension, eventFileKey, FOLDER_VARIABLES, SUGGESTED_FOLDERS } from '@/lib/export/files/naming';

const EXAMPLE_HOUR = Date.UTC(2026, 0, 31, 9);

export function KeyLayout(props: {
  value: string | null;
  onChange: (v: string | null) => void;
  prefix: string;
  projectId: number | null;
  fileFormat: FileFormat;
  error: string | null;
}) {
  const folders = props.value !== null;
  const example = (() => {
    try {
      return eventFileKey({ prefix: props.prefix, folders: props.value }, props.projectId ?? 1, EXAMPLE_HOUR, 1, eventFileExtension(props.fileFormat));
    } catch {
      return null;
    }
  })();
  return (
    <fieldset>
      <legend>File layout</legend>
      <label style={{ fontWeight: 400, display: 'flex', gap: '.5rem', alignItems: 'baseline' }}>
        <input type="radio" name="key-layout" checked={!folders} onChange={() => props.onChange(null)} />
        <span>Amplitude&apos;s flat names: every file directly under the prefix</span>
      </label>
      <label style={{ fontWeight: 400, display: 'flex', gap: '.5rem', alignItems: 'baseline' }}>
        <input type="radio" name="key-layout" checked={folders} onChange={() => props.onChange(SUGGESTED_FOLDERS)} />
        <span>Date folders, so Athena, DuckDB and Spark read only the days a query asks for</span>
      </label>
      {folders ? (
        <div>
          <label htmlFor="keyFolders">
            Folder template <span className="hint">(between the prefix and the file names)</span>
          </label>
          <input
            id="keyFolders"
            type="text"
            value={props.value ?? ''}
            onChange={(e) => props.onChange(e.target.value)}
            aria-invalid={props.error ? true : undefined}
            aria-describedby={props.error ? 'keyFolders-error' : 'keyFolders-hint'}
          />
          {props.error ? (
            <div className="field-error" id="keyFolders-error" role="alert">
              {props.error}
            </div>
          ) : null}
          <p className="hint" id="keyFolders-hint" style={{ marginTop: '.25rem' }}>
            {Object.entries(FOLDER_VARIABLES).map(([v, what], i) => (
              <span key={v}>
                {i > 0 ? ', ' : ''}
                <code>{`{${v}}`}</code> {what}
              </span>
            ))}
            .
          </p>
        </div>
      ) : null}
      {example ? (
        <p className="hint" style={{ marginTop: 0 }}>
          A file then looks like <code style={{ wordBreak: 'break-all' }}>{example}</code>. File names stay Amplitude&apos;s.
        </p>
      ) : null}
    </fieldset>
  );
}
