'use client';
// The table of a connection's hourly and manual export jobs, filtered and paged, with each failure's
// troubleshooting text.
import { useState } from 'react';
import { JOB_STATES } from '@/lib/db/job-states';
import { fmtBytes, fmtDuration, fmtHour, fmtInt, fmtTime } from '../../ui/format';
import { useJobs } from './queries';

export function Jobs({
  id,
  live,
  hour,
  onClearHour,
  onFiles,
}: {
  id: string;
  live: boolean;
  hour: number | null;
  onClearHour: () => void;
  /** opens the files of an exported hour */
  onFiles: (hour: number) => void;
}) {
  const [state, setState] = useState('');
  const [kind, setKind] = useState('');
  const [page, setPage] = useState(1);
  // empty hours are cells of the coverage view, not rows, unless asked for
  const [hideEmpty, setHideEmpty] = useState(true);
  const jobs = useJobs(id, { state, kind, page: hour === null ? page : 1, hideEmpty, hour }, live);
  const pages = jobs.data ? Math.max(1, Math.ceil(jobs.data.total / jobs.data.pageSize)) : 1;
  return (
    <section className="card" aria-labelledby="jobs-title">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id="jobs-title" style={{ margin: 0 }}>
          Export status
        </h2>
        <span className="row">
          {hour !== null ? (
            <span className="badge running">
              {fmtHour(hour)}{' '}
              <button className="link" onClick={onClearHour} aria-label="Show every hour">
                ×
              </button>
            </span>
          ) : (
            <label className="row" style={{ margin: 0, fontWeight: 400 }}>
              <input
                type="checkbox"
                checked={hideEmpty}
                onChange={(e) => {
                  setHideEmpty(e.target.checked);
                  setPage(1);
                }}
              />{' '}
              hide empty hours
            </label>
          )}
          <label htmlFor="f-state" style={{ margin: 0 }}>
            State
          </label>
          <select
            id="f-state"
            value={state}
            onChange={(e) => {
              setState(e.target.value);
              setPage(1);
            }}
            style={{ width: 'auto' }}
          >
            <option value="">all</option>
            {JOB_STATES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
          <label htmlFor="f-kind" style={{ margin: 0 }}>
            Data
          </label>
          <select
            id="f-kind"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value);
              setPage(1);
            }}
            style={{ width: 'auto' }}
          >
            <option value="">all</option>
            <option value="events">events</option>
            <option value="merged">merged IDs</option>
          </select>
        </span>
      </div>
      {jobs.error ? <p className="error">{jobs.error.message}</p> : null}
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Export jobs (scrolls sideways on small screens)">
        <table aria-label="Export jobs">
          <thead>
            <tr>
              <th>Hour (UTC)</th>
              <th>Data</th>
              <th>State</th>
              <th>Parts</th>
              <th>Events</th>
              <th>Size</th>
              <th>Duration</th>
              <th>
                <abbr title="Tries that failed before this state: a job done at its first try has none">Failed tries</abbr>
              </th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {jobs.data?.jobs.map((j) => (
              <tr key={j.id} data-hour={j.hour} data-kind={j.kind} data-state={j.state}>
                <td>
                  {fmtHour(j.hour)}
                  {j.origin === 'backfill' ? (
                    <span className="muted"> · manual</span>
                  ) : j.backfillId !== null ? (
                    <span className="muted"> · hourly, exported again manually</span>
                  ) : null}
                </td>
                <td>{j.kind === 'events' ? 'events' : 'merged IDs'}</td>
                <td>
                  <span className={`badge ${j.state}`}>{j.state}</span>
                  {j.state === 'retry' ? (
                    <div className="muted" style={{ fontSize: '.8rem' }}>
                      next try {fmtTime(j.dueAt)}
                    </div>
                  ) : null}
                  {j.lastGood ? (
                    // the files of the last run that succeeded are still there: a later failure says so beside them
                    <div className="muted" style={{ fontSize: '.8rem' }} data-last-good>
                      last good export {fmtTime(j.lastGood.at)}: {fmtInt(j.lastGood.events)} events, {fmtBytes(j.lastGood.bytes)}
                      {j.lastGood.parts > 0 ? (
                        <>
                          {', '}
                          <button
                            className="link"
                            onClick={() => onFiles(j.hour)}
                            aria-label={`${j.lastGood.parts} ${j.lastGood.parts === 1 ? 'file' : 'files'}: files of ${fmtHour(j.hour)} ${j.kind}, last good export`}
                          >
                            {j.lastGood.parts} {j.lastGood.parts === 1 ? 'file' : 'files'} ›
                          </button>
                        </>
                      ) : null}
                    </div>
                  ) : null}
                </td>
                <td>
                  {j.parts > 0 && j.state === 'done' ? (
                    <button className="link" onClick={() => onFiles(j.hour)} aria-label={`${j.parts}: files of ${fmtHour(j.hour)} ${j.kind}`}>
                      {j.parts} ›
                    </button>
                  ) : (
                    j.parts
                  )}
                </td>
                <td>{fmtInt(j.events)}</td>
                <td>{fmtBytes(j.bytes)}</td>
                <td>{fmtDuration(j.durationMs)}</td>
                <td>{j.tries > 0 ? j.tries : '–'}</td>
                <td>
                  {j.error ? (
                    <details>
                      <summary>{j.error.summary}</summary>
                      <pre style={{ whiteSpace: 'pre-wrap' }} tabIndex={0}>
                        {j.error.help}
                      </pre>
                    </details>
                  ) : null}
                </td>
              </tr>
            ))}
            {jobs.data && jobs.data.jobs.length === 0 ? (
              <tr>
                <td colSpan={9} className="muted">
                  No export jobs{state || kind ? ' match these filters' : ' yet: the first hour is exported a few minutes after it ends'}.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <p className="row">
        <button className="secondary" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
          Newer
        </button>
        <span className="muted">
          Page {page} of {pages} · {fmtInt(jobs.data?.total ?? 0)} jobs
        </span>
        <button className="secondary" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
          Older
        </button>
      </p>
    </section>
  );
}
