'use client';
// Days × hours of a connection: what became of each hour (exported, empty, failed, repaired, pending),
// the reason on hover, and a click that shows the hour's jobs. The daily integrity check can be run
// from here too.
import { useState } from 'react';
import { fmtDay, fmtHour, fmtInt, fmtTime } from '../../ui/format';
import type { CoverageCell } from '../../ui/types';
import { useCheckIntegrity, useCoverage } from './queries';

const LEGEND: [CoverageCell['state'], string][] = [
  ['exported', 'exported'],
  ['empty', 'no events'],
  ['repaired', 'repaired'],
  ['failed', 'failed'],
  ['pending', 'pending'],
];

const HOURS = Array.from({ length: 24 }, (_, h) => h);

export function Coverage({ id, isAdmin, live, onPick }: { id: string; isAdmin: boolean; live: boolean; onPick: (hour: number) => void }) {
  const coverage = useCoverage(id, live);
  const [report, setReport] = useState<string | null>(null);
  const check = useCheckIntegrity(id, () => coverage.refetch());
  return (
    <section className="card" aria-labelledby="cov-title">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id="cov-title" style={{ margin: 0 }}>
          Coverage{' '}
          <span className="muted" style={{ fontWeight: 400 }}>
            (last 7 days, UTC)
          </span>
        </h2>
        {isAdmin ? (
          <button
            className="secondary"
            disabled={check.isPending}
            onClick={() =>
              check.mutate(undefined, {
                onSuccess: (r) =>
                  setReport(
                    r.issues.length === 0
                      ? `${fmtInt(r.hoursChecked)} exported hours checked: every file is in the bucket as written.`
                      : `${r.issues.length} hour(s) found wrong and queued again: ${r.issues.map((i) => `${fmtHour(i.hour)} ${i.kind} (${i.problem})`).join('; ')}`,
                  ),
              })
            }
          >
            {check.isPending ? 'Checking the bucket…' : 'Check the bucket now'}
          </button>
        ) : null}
      </div>
      <p className="muted" style={{ marginTop: '.25rem' }}>
        Every day Spillway lists the bucket and compares it with what it exported; an hour found wrong is written again.
        {coverage.data?.integrityCheckedAt ? ` Last check: ${fmtTime(coverage.data.integrityCheckedAt)}.` : ''}
      </p>
      {report ? (
        <p className="notice" role="status" data-testid="integrity-report">
          {report}
        </p>
      ) : null}
      {check.error ? <p className="error">{check.error.message}</p> : null}
      {coverage.error ? <p className="error">{coverage.error.message}</p> : null}
      {coverage.data ? (
        <div className="coverage" role="grid" aria-label="Coverage by day and hour" tabIndex={0}>
          <div role="row" className="coverage-row">
            <span role="columnheader" className="coverage-day">
              UTC hour
            </span>
            {HOURS.map((h) => (
              <span key={h} role="columnheader" className="coverage-hour">
                {h}
              </span>
            ))}
          </div>
          {coverage.data.days.map((d) => (
            <div key={d.day} role="row" className="coverage-row">
              <span role="rowheader" className="coverage-day">
                {fmtDay(d.day)}
              </span>
              {d.cells.map((c) => (
                <button
                  key={c.hour}
                  role="gridcell"
                  className={`cell ${c.state}`}
                  data-hour={c.hour}
                  data-state={c.state}
                  title={`${fmtHour(c.hour)} — ${c.state}${c.events ? `, ${fmtInt(c.events)} events` : ''}${c.reason ? `: ${c.reason}` : ''}`}
                  aria-label={`${fmtHour(c.hour)} ${c.state}`}
                  disabled={c.jobIds.length === 0}
                  onClick={() => onPick(c.hour)}
                />
              ))}
            </div>
          ))}
          <p className="row muted" style={{ fontSize: '.8rem', marginBottom: 0 }}>
            {LEGEND.map(([state, label]) => (
              <span key={state} className="row" style={{ gap: '.25rem' }}>
                <span className={`cell ${state}`} aria-hidden /> {label}
              </span>
            ))}
          </p>
        </div>
      ) : null}
    </section>
  );
}
