'use client';
// The files of one exported hour (keys to copy, sizes, SHA-256) and a look inside any of them: its
// first lines as a table, read back through the connection's credentials.
import { useState } from 'react';
import { fmtBytes, fmtHour, fmtInt } from '../../ui/format';
import { useHourFiles, usePreview } from './queries';

// the columns most people look at first; the whole line is one click away
const COLUMNS = ['event_time', 'event_type', 'user_id', 'device_id', 'amplitude_id', 'session_id', '$insert_id'];
const MERGED_COLUMNS = ['merge_time', 'amplitude_id', 'merged_amplitude_id', 'scope'];

export function Files({ id, bucket, hour }: { id: string; bucket: string; hour: number }) {
  const files = useHourFiles(id, hour);
  const [open, setOpen] = useState<string | null>(null);
  const preview = usePreview(id, open);
  if (files.isLoading) return <p className="muted">Loading…</p>;
  if (files.error) return <p className="error">{files.error.message}</p>;
  const list = files.data!.files;
  if (list.length === 0) return <p className="muted">No file for {fmtHour(hour)}: the hour had no events.</p>;
  const columns = open?.split('/').pop()?.startsWith('-') ? MERGED_COLUMNS : COLUMNS;
  return (
    <>
      <ul className="files">
        {list.map((f) => (
          <li key={f.key}>
            <code data-testid="file-key">
              s3://{bucket}/{f.key}
            </code>{' '}
            <button
              className="secondary"
              onClick={() => navigator.clipboard?.writeText(`s3://${bucket}/${f.key}`)}
              aria-label={`Copy the key of part ${f.part}`}
            >
              Copy
            </button>{' '}
            <button onClick={() => setOpen(f.key)} aria-pressed={open === f.key}>
              Preview
            </button>
            <div className="muted" style={{ fontSize: '.8rem' }}>
              {f.kind === 'events' ? `part ${f.part}` : 'merged Amplitude IDs'} · {fmtInt(f.lines)} lines · {fmtBytes(f.bytes)}
              {f.sha256 ? ` · SHA-256 ${f.sha256}` : ''} · in a URL:{' '}
              <code>
                {bucket}/{encodeURIComponent(f.key).replace(/%2F/g, '/')}
              </code>
            </div>
          </li>
        ))}
      </ul>
      {open ? (
        <section aria-label="File preview">
          {preview.isLoading ? <p className="muted">Reading the first lines…</p> : null}
          {preview.error ? (
            <p className="error" role="alert">
              {preview.error.message}
            </p>
          ) : null}
          {preview.data ? (
            <div className="table-wrap" tabIndex={0} role="region" aria-label="Files (scrolls sideways on small screens)">
              <table aria-label="First lines of the file">
                <thead>
                  <tr>
                    {columns.map((c) => (
                      <th key={c}>{c}</th>
                    ))}
                    <th>line</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.data.lines.map((l, i) => (
                    <tr key={i}>
                      {columns.map((c) => (
                        <td key={c}>{l[c] === null || l[c] === undefined ? <span className="muted">null</span> : String(l[c])}</td>
                      ))}
                      <td>
                        <details>
                          <summary>JSON</summary>
                          <pre style={{ maxWidth: 480, whiteSpace: 'pre-wrap' }} tabIndex={0}>
                            {JSON.stringify(l, null, 2)}
                          </pre>
                        </details>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="muted">
                First {preview.data.lines.length} lines{preview.data.more ? ' (the file has more)' : ''}.
              </p>
            </div>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
