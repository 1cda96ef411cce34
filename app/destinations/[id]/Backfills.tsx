'use client';
// The manual exports of a connection with their progress, cancellable while they run.
import { fmtBytes, fmtHour, fmtInt } from '../../ui/format';
import type { BackfillProgress } from '../../ui/types';
import { useCancelBackfill } from './queries';

/** Share of a manual export's hour files that are done. */
export function pct(b: BackfillProgress) {
  return b.jobsTotal === 0 ? 100 : Math.round((b.jobsDone / b.jobsTotal) * 100);
}

export function Backfills({ id, backfills, isAdmin, onChange }: { id: string; backfills: BackfillProgress[]; isAdmin: boolean; onChange: () => void }) {
  const cancel = useCancelBackfill(id, onChange);
  if (backfills.length === 0) return null;
  return (
    <section className="card" aria-labelledby="bf-title">
      <h2 id="bf-title" style={{ marginTop: 0 }}>
        Manual exports
      </h2>
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Manual exports (scrolls sideways on small screens)">
        <table aria-label="Manual exports">
          <thead>
            <tr>
              <th>Range (UTC)</th>
              <th>State</th>
              <th>Progress</th>
              <th>Events</th>
              <th>Size</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {backfills.map((b) => (
              <tr key={b.id} data-backfill={b.id}>
                <td>
                  {fmtHour(b.fromHour)} → {fmtHour(b.toHour)}
                </td>
                <td>
                  <span className={`badge ${b.state === 'done' ? 'ok' : b.state === 'running' ? 'running' : ''}`}>{b.state}</span>
                  {b.jobsFailed ? <span className="badge bad"> {b.jobsFailed} failed</span> : null}
                </td>
                <td style={{ minWidth: 160 }}>
                  <progress max={b.jobsTotal} value={b.jobsDone} aria-label={`Export ${b.id} progress`} />
                  <div className="muted" style={{ fontSize: '.8rem' }}>
                    {fmtInt(b.jobsDone)} / {fmtInt(b.jobsTotal)} hour files ({pct(b)}%)
                  </div>
                </td>
                <td>{fmtInt(b.events)}</td>
                <td>{fmtBytes(b.bytes)}</td>
                <td>
                  {isAdmin && b.state === 'running' ? (
                    <button className="secondary" onClick={() => cancel.mutate(b.id)}>
                      Cancel
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
