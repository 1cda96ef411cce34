'use client';
// One connection: its state, the failure banner, events per hour, manual exports with progress, the
// table of hourly jobs, and the Export Data / Manage Export Settings modals (each in its own file; the
// data hooks in queries.ts).
import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import { useState } from 'react';
import { fmtHour, fmtTime } from '../../ui/format';
import { Modal } from '../../ui/Modal';
import { Shell } from '../../ui/Shell';
import { StateBadge } from '../../ui/StateBadge';
import { Backfills } from './Backfills';
import { Chart } from './Chart';
import { Coverage } from './Coverage';
import { Files } from './Files';
import { Snippets } from './Snippets';
import { ExportData } from './ExportData';
import { Jobs } from './Jobs';
import { Manage } from './Manage';
import { useDestination, useRefresh, useRetryFailed, useStartMigration } from './queries';

/** Starting a KMS migration is a step with consequences (a checklist, a new connection): ask first. */
function MigrateToKms({ onStart, pending }: { onStart: () => void; pending: boolean }) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button className="secondary" onClick={() => setAsking(true)}>
        Migrate to KMS encryption…
      </button>
    );
  return (
    <span className="row" role="group" aria-label="Confirm the KMS migration">
      <span>Start the KMS migration? A checklist guides you to a new, encrypted connection; this one keeps exporting until you switch.</span>
      <button onClick={onStart} disabled={pending}>
        Start the migration
      </button>
      <button className="secondary" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

export default function DestinationPage() {
  const { id } = useParams<{ id: string }>();
  return <Shell title="Amazon S3 export">{(me) => <Destination id={id} isAdmin={me.role === 'admin'} />}</Shell>;
}

function Destination({ id, isAdmin }: { id: string; isAdmin: boolean }) {
  const detail = useDestination(id);
  const [modal, setModal] = useState<'export' | 'manage' | null>(null);
  // an hour picked in the coverage view: the jobs table shows that hour's jobs
  const [hour, setHour] = useState<number | null>(null);
  const [filesHour, setFilesHour] = useState<number | null>(null);
  const refresh = useRefresh(id);
  const retry = useRetryFailed(id, refresh);
  const router = useRouter();
  const migrate = useStartMigration(id, (mid) => router.push(`/migrations/${mid}`));

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
              <MigrateToKms onStart={() => migrate.mutate()} pending={migrate.isPending} />
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
          <pre tabIndex={0}>{d.alarm.message}</pre>
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
      <Coverage id={id} isAdmin={isAdmin} live={d.openJobs > 0} onPick={setHour} />
      <Jobs id={id} live={d.openJobs > 0} hour={hour} onClearHour={() => setHour(null)} onFiles={setFilesHour} />
      <Snippets id={id} />
      <Modal open={filesHour !== null} title={filesHour !== null ? `Files of ${fmtHour(filesHour)}` : 'Files'} onClose={() => setFilesHour(null)}>
        {filesHour !== null ? <Files id={id} bucket={d.bucket} hour={filesHour} /> : null}
      </Modal>

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
