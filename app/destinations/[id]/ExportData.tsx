'use client';
// The Export Data modal: a range of UTC days to export again, then its live progress.
import { useState } from 'react';
import { fmtBytes, fmtDay, fmtHour, fmtInt } from '../../ui/format';
import type { BackfillProgress } from '../../ui/types';
import { pct } from './Backfills';
import { useCancelBackfill, useStartBackfill } from './queries';

export function ExportData({ id, backfills, onStarted }: { id: string; backfills: BackfillProgress[]; onStarted: () => void }) {
  const today = fmtDay(Date.now());
  const [from, setFrom] = useState(fmtDay(Date.now() - 7 * 86_400_000));
  const [to, setTo] = useState(today);
  const [startedId, setStartedId] = useState<number | null>(null);
  const start = useStartBackfill(id, (bid) => {
    setStartedId(bid);
    onStarted();
  });
  const cancel = useCancelBackfill(id, onStarted);
  const b = backfills.find((x) => x.id === startedId);
  if (startedId !== null) {
    return (
      <div aria-live="polite">
        {b ? (
          <>
            <p>
              Exporting {fmtHour(b.fromHour)} → {fmtHour(b.toHour)}: <strong data-testid="backfill-state">{b.state}</strong>
            </p>
            <progress max={b.jobsTotal} value={b.jobsDone} aria-label="Manual export progress" />
            <p className="muted" data-testid="backfill-progress">
              {fmtInt(b.jobsDone)} of {fmtInt(b.jobsTotal)} hour files done ({pct(b)}%) · {fmtInt(b.events)} events · {fmtBytes(b.bytes)}
            </p>
            {b.state === 'running' ? (
              <button className="secondary" onClick={() => cancel.mutate(b.id)} disabled={cancel.isPending}>
                Cancel export
              </button>
            ) : null}
          </>
        ) : (
          <p className="muted">Starting…</p>
        )}
      </div>
    );
  }
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        start.mutate({ from, to });
      }}
    >
      <p>
        Export past hours again. Dates are <strong>UTC</strong> days; both the start and the end day are included. Hours that have not ended yet are left to the
        hourly export.
      </p>
      <div className="grid2">
        <div>
          <label htmlFor="bf-from">From (UTC)</label>
          <input id="bf-from" type="date" value={from} max={today} onChange={(e) => setFrom(e.target.value)} required />
        </div>
        <div>
          <label htmlFor="bf-to">To (UTC, included)</label>
          <input id="bf-to" type="date" value={to} max={today} onChange={(e) => setTo(e.target.value)} required />
        </div>
      </div>
      <p className="notice">
        Overlapping earlier exports is safe: each hour&apos;s files are rewritten under the same names, so no event is duplicated in the bucket.
      </p>
      {start.error ? (
        <p className="error" role="alert">
          {start.error.message}
        </p>
      ) : null}
      <p>
        <button type="submit" disabled={start.isPending}>
          Start Export
        </button>
      </p>
    </form>
  );
}
