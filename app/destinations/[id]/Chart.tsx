'use client';
// Events exported per hour over the last 48 hours, as bars.
import { fmtHour, fmtInt } from '../../ui/format';
import { useChart } from './queries';

export function Chart({ id }: { id: string }) {
  const chart = useChart(id);
  const points = chart.data?.points ?? [];
  const max = Math.max(1, ...points.map((p) => p.events));
  const total = points.reduce((a, p) => a + p.events, 0);
  return (
    <section className="card" aria-labelledby="chart-title">
      <h2 id="chart-title" style={{ marginTop: 0 }}>
        Events exported per hour{' '}
        <span className="muted" style={{ fontWeight: 400 }}>
          (last 48 hours, UTC · {fmtInt(total)} events)
        </span>
      </h2>
      {chart.error ? (
        <p className="error">{chart.error.message}</p>
      ) : (
        <div className="bars" role="img" aria-label={`Events exported per hour, last 48 hours: ${fmtInt(total)} in total, at most ${fmtInt(max)} in one hour`}>
          {points.map((p) => (
            <div key={p.hour} title={`${fmtHour(p.hour)}: ${fmtInt(p.events)} events`} style={{ height: `${(p.events / max) * 100}%` }} />
          ))}
        </div>
      )}
      {points.length ? (
        <div className="row muted" style={{ justifyContent: 'space-between', fontSize: '.8rem' }}>
          <span>{fmtHour(points[0].hour)}</span>
          <span>{fmtHour(points[points.length - 1].hour)}</span>
        </div>
      ) : null}
    </section>
  );
}
