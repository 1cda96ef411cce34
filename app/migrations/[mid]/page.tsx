'use client';
// The KMS migration checklist (the spec's 11 steps) and its rollback checklist. Steps the server can
// see are ticked from real state; steps done in AWS are ticked by the user.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState, type ReactNode } from 'react';
import { api, ApiError } from '../../ui/api';
import { Checks, type Check } from '../../ui/Checks';
import { fmtHour, fmtTime } from '../../ui/format';
import { PolicyBlock } from '../../ui/Policy';
import { Shell } from '../../ui/Shell';
import type { MigrationView } from '../../ui/types';

export default function MigrationPage() {
  const { mid } = useParams<{ mid: string }>();
  return <Shell title="Migrate an S3 export to KMS encryption">{(me) => <Migration mid={mid} isAdmin={me.role === 'admin'} />}</Shell>;
}

function Step({ n, done, title, children, auto }: { n: string; done: boolean; title: string; children?: ReactNode; auto?: boolean }) {
  return (
    <li className={done ? 'done' : ''} data-step={n} data-done={done}>
      <span className="num" aria-hidden="true">
        {done ? '✓' : n}
      </span>
      <div>
        <strong>
          {n}. {title}
        </strong>{' '}
        <span className="muted" style={{ fontSize: '.8rem' }}>
          {done ? '· done' : auto ? '· Spillway ticks this when it sees it' : ''}
        </span>
        {children}
      </div>
    </li>
  );
}

function Migration({ mid, isAdmin }: { mid: string; isAdmin: boolean }) {
  const qc = useQueryClient();
  const key = ['migration', mid];
  const m = useQuery({ queryKey: key, queryFn: () => api<MigrationView>(`/api/migrations/${mid}`), refetchInterval: 3_000 });
  const [kms, setKms] = useState('');
  const [policies, setPolicies] = useState<{
    principal: { arn: string };
    bucketPolicy: unknown;
    kmsKeyPolicy: unknown;
    kmsKeyPolicyNote: string | null;
  } | null>(null);
  const [backup, setBackup] = useState('');
  const [checks, setChecks] = useState<Check[] | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const update = (v: MigrationView) => qc.setQueryData(key, v);
  const tick = useMutation({
    mutationFn: (b: { step: string; done: boolean }) => api<MigrationView>(`/api/migrations/${mid}`, { method: 'PATCH', body: b }),
    onSuccess: update,
  });
  const save = useMutation({
    mutationFn: () => api<MigrationView>(`/api/migrations/${mid}`, { method: 'PATCH', body: { policyBackup: backup } }),
    onSuccess: update,
  });
  const action = useMutation({ mutationFn: (a: string) => api<MigrationView>(`/api/migrations/${mid}/action`, { body: { action: a } }), onSuccess: update });
  const gen = useMutation({
    mutationFn: () => api<typeof policies>(`/api/migrations/${mid}/policies`, { body: { kmsKeyArn: kms } }),
    onSuccess: (p) => {
      setPolicies(p);
      tick.mutate({ step: '5', done: true });
    },
  });
  const connect = useMutation({
    mutationFn: () => api<{ id: number; checks: Check[] }>(`/api/migrations/${mid}/connect`, { body: { kmsKeyArn: kms } }),
    onSuccess: (r) => {
      setChecks(r.checks);
      qc.invalidateQueries({ queryKey: key });
    },
    onError: (e) => {
      if (e instanceof ApiError && Array.isArray(e.body.checks)) setChecks(e.body.checks as Check[]);
    },
  });

  if (m.isLoading) return <p className="muted">Loading…</p>;
  if (m.error) return <p className="error">{m.error.message}</p>;
  const v = m.data!;
  const s = v.steps;
  const open = v.state === 'open';
  const manual = (step: string, label: string) => (
    <ManualTick
      key={`${step}-${v.ticked.includes(step)}`}
      checked={v.ticked.includes(step)}
      disabled={!isAdmin || !open}
      label={label}
      onChange={(done) => tick.mutate({ step, done })}
    />
  );
  const err = [tick, save, action, gen, connect].find((x) => x.error)?.error;
  const oldLabel = v.old ? (
    <Link href={`/destinations/${v.old.id}`}>
      s3://{v.old.bucket}/{v.old.prefix}
    </Link>
  ) : (
    <span>
      s3://{String(v.oldSummary.bucket)}/{String(v.oldSummary.prefix)} (deleted)
    </span>
  );

  return (
    <>
      <p className="muted">
        <Link href="/destinations">Destinations</Link> › KMS migration of {oldLabel}
      </p>
      {v.state !== 'open' ? (
        <p className="notice" role="status">
          This migration is{' '}
          {v.state === 'completed' ? 'complete: the new connection exports with KMS encryption' : 'rolled back: the old connection exports again'}.
        </p>
      ) : null}
      {err ? (
        <p className="error" role="alert">
          {err.message}
        </p>
      ) : null}
      {v.hoursSinceDisabled !== null && v.hoursSinceDisabled >= 24 && v.gap ? (
        <div className="warn" role="alert">
          The old connection was disabled {v.hoursSinceDisabled} hours ago{v.new ? ' when the new one was created' : ''}: more than 24 hours, so{' '}
          {fmtHour(v.gap.from)} → {fmtHour(v.gap.to)} ({v.gap.hours} hours) is not covered by either connection.
          {v.new ? (
            v.gapBackfilled ? (
              ' A manual export of exactly that gap has been started.'
            ) : (
              <>
                {' '}
                <button onClick={() => action.mutate('backfill-gap')} disabled={!isAdmin}>
                  Backfill exactly that gap
                </button>
              </>
            )
          ) : (
            ' Once the new connection exists, you can backfill exactly that gap here.'
          )}
        </div>
      ) : null}

      <section className="card" aria-labelledby="mig-title">
        <h2 id="mig-title" style={{ marginTop: 0 }}>
          Migration steps
        </h2>
        <ol className="checklist">
          <Step n="1" done={s['1']} title="Create a KMS key in your AWS account">
            <p className="muted">AWS console → Key Management Service → Create key (symmetric, encrypt and decrypt). Copy its ARN.</p>
            {manual('1', 'I created the KMS key')}
          </Step>
          <Step n="2" done={s['2']} title="Open the existing S3 export to migrate">
            <p>{oldLabel}</p>
          </Step>
          <Step n="3" done={s['3']} auto title="Disable the old connection and wait for its in-progress jobs">
            {v.old ? (
              v.old.enabled ? (
                <p>
                  <button onClick={() => action.mutate('disable-old')} disabled={!isAdmin || !open || action.isPending}>
                    Disable the old connection
                  </button>
                </p>
              ) : (
                <p className="muted">
                  Disabled {fmtTime(v.old.disabledAt)}.{' '}
                  {v.old.openJobs > 0 ? `Waiting for ${v.old.openJobs} export job(s) to finish…` : 'No export job in progress.'}
                </p>
              )
            ) : (
              <p className="muted">The old connection was deleted.</p>
            )}
          </Step>
          <Step n="4" done={s['4']} auto title="Create a new S3 export for the same bucket">
            <p className="muted">The new connection keeps the project, bucket, region, prefix and data choice, and adds the KMS key.</p>
            <label htmlFor="kms">KMS key ARN</label>
            <input
              id="kms"
              type="text"
              value={v.new?.kmsKeyArn ?? kms}
              onChange={(e) => setKms(e.target.value)}
              disabled={!!v.new || !open}
              placeholder="arn:aws:kms:us-east-1:123456789012:key/…"
              spellCheck={false}
            />
          </Step>
          <Step n="5" done={s['5']} title="Generate the updated bucket policy and KMS key policy">
            <p>
              <button className="secondary" onClick={() => gen.mutate()} disabled={!isAdmin || !open || !kms || gen.isPending}>
                Generate policies
              </button>
            </p>
            {policies ? (
              <>
                <p>
                  The updated policies trust <code>{policies.principal.arn}</code>.
                </p>
                <PolicyBlock title="Updated bucket policy" policy={policies.bucketPolicy} filename="bucket-policy-kms.json" />
                {policies.kmsKeyPolicyNote ? <p className="warn">{policies.kmsKeyPolicyNote}</p> : null}
                <PolicyBlock title="KMS key policy" policy={policies.kmsKeyPolicy} filename="kms-key-policy.json" />
              </>
            ) : null}
          </Step>
          <Step n="6" done={s['6']} auto title="Back up the current bucket policy (for rollback)">
            {v.policyBackup ? (
              <PolicyBlock title="Backed-up bucket policy" policy={v.policyBackup} filename="bucket-policy-backup.json" />
            ) : (
              <>
                <label htmlFor="backup">
                  Current bucket policy <span className="hint">(S3 console → bucket → Permissions → Bucket policy: copy it all)</span>
                </label>
                <textarea id="backup" rows={6} value={backup} onChange={(e) => setBackup(e.target.value)} spellCheck={false} disabled={!open} />
                <p>
                  <button className="secondary" onClick={() => save.mutate()} disabled={!isAdmin || !open || !backup.trim() || save.isPending}>
                    Save backup
                  </button>
                </p>
              </>
            )}
          </Step>
          <Step n="7" done={s['7']} title="Apply the updated bucket policy and KMS key policy in AWS">
            {manual('7', 'I replaced the bucket policy and the key policy with the ones from step 5')}
          </Step>
          <Step n="8" done={s['8']} title="Turn on KMS encryption for the bucket">
            <p className="muted">S3 console → bucket → Properties → Default encryption → SSE-KMS with the new key.</p>
            {manual('8', 'The bucket encrypts with the new KMS key')}
          </Step>
          <Step n="9" done={s['9']} auto title="Verify bucket access and create the new connection">
            {v.new ? (
              <p>
                Created <Link href={`/destinations/${v.new.id}`}>the new connection</Link> {fmtTime(v.new.createdAt)}; access verified.
              </p>
            ) : (
              <p>
                <button onClick={() => connect.mutate()} disabled={!isAdmin || !open || !kms || connect.isPending}>
                  {connect.isPending ? 'Verifying…' : 'Verify access and create connection'}
                </button>
                {v.old?.enabled ? <span className="muted"> (disable the old connection first, step 3)</span> : null}
              </p>
            )}
            {checks ? <Checks checks={checks} /> : null}
          </Step>
          <Step n="10" done={s['10']} auto title="Wait for the new connection's first export">
            {v.new ? (
              <p className="muted">
                {v.new.lastSuccessHour !== null
                  ? `Exported ${fmtHour(v.new.lastSuccessHour)} with KMS encryption.`
                  : `Waiting for the first hour to be exported (${v.new.openJobs} job(s) queued)…`}
              </p>
            ) : null}
          </Step>
          <Step n="11" done={s['11']} auto title="Delete the old connection">
            <p className="muted">Files it exported stay in the bucket; its job history is deleted. After this, rollback is no longer possible.</p>
            {open && v.old ? (
              confirmDelete ? (
                <p className="row">
                  <button className="danger" onClick={() => action.mutate('delete-old')} disabled={!isAdmin || action.isPending}>
                    Yes, delete the old connection
                  </button>
                  <button className="secondary" onClick={() => setConfirmDelete(false)}>
                    Not yet
                  </button>
                </p>
              ) : (
                <button className="danger" onClick={() => setConfirmDelete(true)} disabled={!isAdmin || !s['10']}>
                  Delete the old connection…
                </button>
              )
            ) : null}
          </Step>
        </ol>
      </section>

      {v.rollbackAvailable || v.state === 'rolled_back' ? (
        <section className="card" aria-labelledby="rb-title">
          <h2 id="rb-title" style={{ marginTop: 0 }}>
            Rollback procedure
          </h2>
          <p className="muted">If something goes wrong before the old connection is deleted, go back to it:</p>
          <ol className="checklist">
            <Step n="1" done={v.rollbackSteps['1']} auto title="Remove the new connection">
              {v.new ? (
                <p>
                  <button className="danger" onClick={() => action.mutate('remove-new')} disabled={!isAdmin || !v.rollbackAvailable}>
                    Remove the new connection
                  </button>
                </p>
              ) : null}
            </Step>
            <Step n="2" done={v.rollbackSteps['2']} title="Restore the backed-up bucket policy">
              {v.policyBackup ? (
                <PolicyBlock title="Bucket policy to restore" policy={v.policyBackup} filename="bucket-policy-backup.json" />
              ) : (
                <p className="muted">No backup was saved in step 6: restore the policy you had before.</p>
              )}
              {manual('r2', 'I restored the bucket policy')}
            </Step>
            <Step n="3" done={v.rollbackSteps['3']} title="Restore the bucket's previous encryption setting">
              {manual('r3', 'Bucket encryption is back as before')}
            </Step>
            <Step n="4" done={v.rollbackSteps['4']} auto title="Re-enable the old connection">
              <p className="muted">
                Missed hours are exported again; after more than 24 hours off, a manual export of the gap is started for you. The hours the new connection wrote
                with the KMS key are exported again by the old connection, as it writes them.
              </p>
              {v.old && !v.old.enabled ? (
                <p>
                  <button onClick={() => action.mutate('enable-old')} disabled={!isAdmin || !!v.new}>
                    Re-enable the old connection
                  </button>
                </p>
              ) : null}
            </Step>
            <Step n="5" done={v.rollbackSteps['5']} title="(Optional) Delete the KMS key">
              {v.reencrypted ? (
                v.reencrypted.done ? (
                  <p data-testid="key-deletion" data-safe="true">
                    Safe to delete: the old connection has written again the {hoursText(v.reencrypted.hours)} the new connection encrypted with the key,{' '}
                    {fmtHour(v.reencrypted.from)} → {fmtHour(v.reencrypted.to)}, so no exported file needs it any more.
                  </p>
                ) : (
                  <p className="warn" data-testid="key-deletion" data-safe="false">
                    Not yet: files of {hoursText(v.reencrypted.hours)} ({fmtHour(v.reencrypted.from)} → {fmtHour(v.reencrypted.to)}) are still encrypted with
                    the key until the old connection has exported them again
                    {v.reencrypted.backfillId === null ? ' (it starts when you re-enable the old connection)' : ' (in progress on its page)'}. Deleting the key
                    now makes those files unreadable.
                  </p>
                )
              ) : (
                <p className="muted" data-testid="key-deletion" data-safe="true">
                  The new connection wrote no file with the key, so deleting it affects no exported file.
                </p>
              )}
              {manual('r5', 'Done, or keeping the key')}
            </Step>
          </ol>
        </section>
      ) : null}
    </>
  );
}

const hoursText = (n: number) => `${n} hour${n === 1 ? '' : 's'}`;

/** A step ticked by the user: shown at once, then confirmed by the server (re-keyed on its answer). */
function ManualTick({ checked, disabled, label, onChange }: { checked: boolean; disabled: boolean; label: string; onChange: (done: boolean) => void }) {
  const [shown, setShown] = useState(checked);
  return (
    <label className="row" style={{ fontWeight: 400 }}>
      <input
        type="checkbox"
        checked={shown}
        disabled={disabled}
        onChange={(e) => {
          setShown(e.target.checked);
          onChange(e.target.checked);
        }}
      />{' '}
      {label}
    </label>
  );
}
