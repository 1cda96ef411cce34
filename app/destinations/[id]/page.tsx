'use client';
// One connection: its state, the failure banner, events per hour, manual exports with progress, the
// table of hourly jobs, and the Export Data / Manage Export Settings modals.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import { useState } from 'react';
import { api } from '../../ui/api';
import { fmtBytes, fmtDay, fmtDuration, fmtHour, fmtInt, fmtTime } from '../../ui/format';
import { Modal } from '../../ui/Modal';
import { Shell } from '../../ui/Shell';
import { StateBadge } from '../../ui/StateBadge';
import type { BackfillProgress, DestinationView } from '../../ui/types';

interface Detail {
  destination: DestinationView;
  backfills: BackfillProgress[];
  migrations: { id: number; state: string; oldDestinationId: number | null; newDestinationId: number | null }[];
}

interface JobRow {
  id: number;
  hour: number;
  kind: 'events' | 'merged';
  state: string;
  origin: string;
  parts: number;
  events: number;
  bytes: number;
  durationMs: number | null;
  tries: number;
  dueAt: number;
  error: { kind: string; permission: string | null; message: string; summary: string; help: string } | null;
}

export default function DestinationPage() {
  const { id } = useParams<{ id: string }>();
  return <Shell title="Amazon S3 export">{(me) => <Destination id={id} isAdmin={me.role === 'admin'} />}</Shell>;
}

function Destination({ id, isAdmin }: { id: string; isAdmin: boolean }) {
  const qc = useQueryClient();
  const detail = useQuery({
    queryKey: ['destination', id],
    queryFn: () => api<Detail>(`/api/destinations/${id}`),
    // live while anything is moving
    refetchInterval: (q) =>
      q.state.data && (q.state.data.destination.openJobs > 0 || q.state.data.backfills.some((b) => b.state === 'running')) ? 2_000 : 15_000,
  });
  const [modal, setModal] = useState<'export' | 'manage' | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: ['destination', id] }).then(() => qc.invalidateQueries({ queryKey: ['jobs', id] }));
  const retry = useMutation({ mutationFn: () => api(`/api/destinations/${id}/retry`, { body: {} }), onSuccess: refresh });
  const router = useRouter();
  const migrate = useMutation({
    mutationFn: () => api<{ id: number }>(`/api/destinations/${id}/migration`, { body: {} }),
    onSuccess: (r) => router.push(`/migrations/${r.id}`),
  });

  if (detail.isLoading) return <p className="muted">Loading…</p>;
  if (detail.error)
    return (
      <p className="error">
        {detail.error.message} <Link href="/destinations">Back to destinations</Link>
      </p>
    );
  const { destination: d, backfills, migrations } = detail.data!;
  const openMigration = migrations.find((m) => m.state === 'open');
  return (
    <>
      <p className="muted">
        <Link href="/destinations">Destinations</Link> › Amazon S3 › {d.projectName}
      </p>
      <div className="card">
        <div className="row" style={{ justifyContent: 'space-between' }}>
          <h2 style={{ margin: 0 }}>
            <code>
              s3://{d.bucket}/{d.prefix}
            </code>{' '}
            <StateBadge d={d} />
          </h2>
          {isAdmin ? (
            <span className="row">
              <button onClick={() => setModal('export')}>Export Data</button>
              <button className="secondary" onClick={() => setModal('manage')}>
                Manage Export Settings
              </button>
            </span>
          ) : null}
        </div>
        <dl className="stats">
          <div>
            <dt>Project</dt>
            <dd>
              {d.projectName} ({d.projectId})
            </dd>
          </div>
          <div>
            <dt>Data</dt>
            <dd>{[d.exportEvents && 'events', d.exportMerged && 'merged Amplitude IDs'].filter(Boolean).join(' + ')}</dd>
          </div>
          <div>
            <dt>Automatic exports</dt>
            <dd>{d.enabled ? 'on' : `off since ${fmtTime(d.disabledAt)}`}</dd>
          </div>
          <div>
            <dt>Last successful hour</dt>
            <dd>{fmtHour(d.lastSuccessHour)}</dd>
          </div>
          <div>
            <dt>Jobs waiting</dt>
            <dd>{d.openJobs}</dd>
          </div>
          <div>
            <dt>Encryption</dt>
            <dd>{d.kmsKeyArn ? `SSE-KMS (${d.kmsKeyArn})` : 'bucket default'}</dd>
          </div>
          <div>
            <dt>Region</dt>
            <dd>
              {d.region}
              {d.endpoint ? ` · ${d.endpoint}` : ''}
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              {fmtTime(d.createdAt)}
              {d.createdBy ? ` by ${d.createdBy}` : ''}
            </dd>
          </div>
        </dl>
        {isAdmin && !d.kmsKeyArn ? (
          <p className="row" style={{ marginBottom: 0 }}>
            {openMigration ? (
              <Link href={`/migrations/${openMigration.id}`}>Continue the KMS migration</Link>
            ) : (
              <button className="secondary" onClick={() => migrate.mutate()} disabled={migrate.isPending}>
                Migrate to KMS encryption
              </button>
            )}
            {migrate.error ? <span className="error">{migrate.error.message}</span> : null}
          </p>
        ) : openMigration ? (
          <p>
            <Link href={`/migrations/${openMigration.id}`}>KMS migration in progress</Link>
          </p>
        ) : null}
      </div>

      {d.alarm ? (
        <div className="banner" role="alert">
          <strong>Exports are failing{d.alarm.permission ? `: missing ${d.alarm.permission}` : ''}</strong> (since {fmtTime(d.alarm.raisedAt)}). The
          organisation&apos;s admins and the connection&apos;s creator were emailed.
          <pre>{d.alarm.message}</pre>
          {isAdmin ? (
            <button onClick={() => retry.mutate()} disabled={retry.isPending}>
              I fixed it: retry now
            </button>
          ) : null}
        </div>
      ) : d.failedJobs > 0 && isAdmin ? (
        <div className="banner">
          <strong>{d.failedJobs} failed hour(s).</strong> <button onClick={() => retry.mutate()}>Retry them now</button>
        </div>
      ) : null}

      <Chart id={id} />
      <Backfills id={id} backfills={backfills} isAdmin={isAdmin} onChange={refresh} />
      <Jobs id={id} live={d.openJobs > 0} />

      {isAdmin ? (
        <>
          <Modal open={modal === 'export'} title="Export Data" onClose={() => setModal(null)}>
            <ExportData id={id} backfills={backfills} onStarted={refresh} />
          </Modal>
          <Modal open={modal === 'manage'} title="Manage Export Settings" onClose={() => setModal(null)}>
            <Manage d={d} onChange={refresh} onDeleted={() => router.push('/destinations')} />
          </Modal>
        </>
      ) : null}
    </>
  );
}

function Chart({ id }: { id: string }) {
  const chart = useQuery({
    queryKey: ['chart', id],
    queryFn: () => api<{ points: { hour: number; events: number }[] }>(`/api/destinations/${id}/chart?hours=48`),
    refetchInterval: 15_000,
  });
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

/** Cancels a running manual export (from the table and from the Export Data modal). */
function useCancelBackfill(id: string, onDone: () => void) {
  return useMutation({ mutationFn: (bid: number) => api(`/api/destinations/${id}/backfills/${bid}`, { method: 'DELETE' }), onSuccess: onDone });
}

function pct(b: BackfillProgress) {
  return b.jobsTotal === 0 ? 100 : Math.round((b.jobsDone / b.jobsTotal) * 100);
}

function Backfills({ id, backfills, isAdmin, onChange }: { id: string; backfills: BackfillProgress[]; isAdmin: boolean; onChange: () => void }) {
  const cancel = useCancelBackfill(id, onChange);
  if (backfills.length === 0) return null;
  return (
    <section className="card" aria-labelledby="bf-title">
      <h2 id="bf-title" style={{ marginTop: 0 }}>
        Manual exports
      </h2>
      <div className="table-wrap">
        <table aria-label="Manual exports">
          <thead>
            <tr>
              <th>Range (UTC)</th>
              <th>State</th>
              <th>Progress</th>
              <th>Events</th>
              <th>Size</th>
              <th></th>
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

function Jobs({ id, live }: { id: string; live: boolean }) {
  const [state, setState] = useState('');
  const [kind, setKind] = useState('');
  const [page, setPage] = useState(1);
  const qs = new URLSearchParams({ page: String(page), pageSize: '24', ...(state ? { state } : {}), ...(kind ? { kind } : {}) });
  const jobs = useQuery({
    queryKey: ['jobs', id, state, kind, page],
    queryFn: () => api<{ total: number; page: number; pageSize: number; jobs: JobRow[] }>(`/api/destinations/${id}/jobs?${qs}`),
    refetchInterval: live ? 2_000 : 15_000,
  });
  const pages = jobs.data ? Math.max(1, Math.ceil(jobs.data.total / jobs.data.pageSize)) : 1;
  return (
    <section className="card" aria-labelledby="jobs-title">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id="jobs-title" style={{ margin: 0 }}>
          Export status
        </h2>
        <span className="row">
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
            {['pending', 'running', 'retry', 'done', 'failed', 'cancelled'].map((s) => (
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
      <div className="table-wrap">
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
              <th>Tries</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {jobs.data?.jobs.map((j) => (
              <tr key={j.id} data-hour={j.hour} data-kind={j.kind} data-state={j.state}>
                <td>
                  {fmtHour(j.hour)}
                  {j.origin === 'backfill' ? <span className="muted"> · manual</span> : null}
                </td>
                <td>{j.kind === 'events' ? 'events' : 'merged IDs'}</td>
                <td>
                  <span className={`badge ${j.state}`}>{j.state}</span>
                  {j.state === 'retry' ? (
                    <div className="muted" style={{ fontSize: '.8rem' }}>
                      next try {fmtTime(j.dueAt)}
                    </div>
                  ) : null}
                </td>
                <td>{j.parts}</td>
                <td>{fmtInt(j.events)}</td>
                <td>{fmtBytes(j.bytes)}</td>
                <td>{fmtDuration(j.durationMs)}</td>
                <td>{j.tries}</td>
                <td>
                  {j.error ? (
                    <details>
                      <summary>{j.error.summary}</summary>
                      <pre style={{ whiteSpace: 'pre-wrap' }}>{j.error.help}</pre>
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

function ExportData({ id, backfills, onStarted }: { id: string; backfills: BackfillProgress[]; onStarted: () => void }) {
  const today = fmtDay(Date.now());
  const [from, setFrom] = useState(fmtDay(Date.now() - 7 * 86_400_000));
  const [to, setTo] = useState(today);
  const [startedId, setStartedId] = useState<number | null>(null);
  const start = useMutation({
    mutationFn: () => api<{ backfill: { id: number } }>(`/api/destinations/${id}/backfills`, { body: { from, to } }),
    onSuccess: (r) => {
      setStartedId(r.backfill.id);
      onStarted();
    },
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
        start.mutate();
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

function Manage({ d, onChange, onDeleted }: { d: DestinationView; onChange: () => void; onDeleted: () => void }) {
  const [prefix, setPrefix] = useState(d.prefix);
  const [events, setEvents] = useState(d.exportEvents);
  const [merged, setMerged] = useState(d.exportMerged);
  const [confirming, setConfirming] = useState(false);
  // shown at once; put back if the server refuses
  const [enabled, setEnabledShown] = useState(d.enabled);
  const [gap, setGap] = useState<{ from: number; to: number } | null>(null);
  const patch = useMutation({
    mutationFn: (body: Record<string, unknown>) => api<{ gap: { from: number; to: number } | null }>(`/api/destinations/${d.id}`, { method: 'PATCH', body }),
    onSuccess: (r) => {
      setGap(r.gap);
      onChange();
    },
    onError: () => setEnabledShown(d.enabled),
  });
  const backfillGap = useMutation({
    mutationFn: () => api(`/api/destinations/${d.id}/backfills`, { body: { from: new Date(gap!.from).toISOString(), to: new Date(gap!.to).toISOString() } }),
    onSuccess: () => {
      setGap(null);
      onChange();
    },
  });
  const del = useMutation({ mutationFn: () => api(`/api/destinations/${d.id}`, { method: 'DELETE' }), onSuccess: onDeleted });
  return (
    <>
      <div className="switch">
        <input
          id="enabled"
          type="checkbox"
          role="switch"
          checked={enabled}
          aria-checked={enabled}
          onChange={(e) => {
            setEnabledShown(e.target.checked);
            patch.mutate({ enabled: e.target.checked });
          }}
          disabled={patch.isPending}
        />
        <label htmlFor="enabled" style={{ margin: 0 }}>
          Automatic hourly exports {enabled ? 'on' : 'off'}
        </label>
      </div>
      <p className="muted">
        Turned off, no new hour is planned (hours already queued still finish). Turned back on within 24 hours, every missed hour is exported; after longer, you
        are offered a manual export of the gap.
      </p>
      {gap ? (
        <div className="warn" role="alert">
          Exports were off for more than 24 hours: {fmtHour(gap.from)} → {fmtHour(gap.to)} was not exported.
          <button onClick={() => backfillGap.mutate()} disabled={backfillGap.isPending}>
            Export that gap now
          </button>
        </div>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          patch.mutate({ prefix, exportEvents: events, exportMerged: merged });
        }}
      >
        <label htmlFor="m-prefix">
          Prefix <span className="hint">(applies to the next files written)</span>
        </label>
        <input id="m-prefix" type="text" value={prefix} onChange={(e) => setPrefix(e.target.value)} />
        <label className="row" style={{ fontWeight: 400 }}>
          <input type="checkbox" checked={events} onChange={(e) => setEvents(e.target.checked)} /> Export events
        </label>
        <label className="row" style={{ fontWeight: 400 }}>
          <input type="checkbox" checked={merged} onChange={(e) => setMerged(e.target.checked)} /> Export merged Amplitude IDs
        </label>
        {patch.error ? (
          <p className="error" role="alert">
            {patch.error.message}
          </p>
        ) : patch.isSuccess ? (
          <p className="notice">Saved.</p>
        ) : null}
        <p>
          <button type="submit" disabled={patch.isPending}>
            Save settings
          </button>
        </p>
      </form>
      <hr />
      <h3>Delete this connection</h3>
      <p className="muted">Files already in the bucket stay. The job history of this connection is deleted.</p>
      {confirming ? (
        <p className="row">
          <button className="danger" onClick={() => del.mutate()} disabled={del.isPending}>
            Yes, delete the connection
          </button>
          <button className="secondary" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </p>
      ) : (
        <button className="danger" onClick={() => setConfirming(true)}>
          Delete connection…
        </button>
      )}
      {del.error ? <p className="error">{del.error.message}</p> : null}
    </>
  );
}
