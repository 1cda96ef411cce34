'use client';
// The setup wizard, in the spec's order: choose data → bucket policy setup and bucket information →
// generated policies → access verification → connected (hourly exports start at once).
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState, type ReactNode } from 'react';
import { api, ApiError } from '../../ui/api';
import { Checks } from '../../ui/Checks';
import { PolicyBlock } from '../../ui/Policy';
import { Shell } from '../../ui/Shell';
import type { Project, VerifyResult } from '../../ui/types';
import { KeyLayout } from '../KeyLayout';
import { EventFilterField } from '../EventFilterField';
import type { EventFilter } from '@/lib/export/files/event-filter';
import type { FileFormat } from '@/lib/export/files/format';
import { FileFormatField } from '../FileFormatField';

const STEPS = ['Choose data', 'Bucket information', 'Bucket policy', 'Verify access', 'Connected'];

// what to do next, by what verification found (a missing permission is only one of them)
const PROBLEM_TEXT: Record<NonNullable<VerifyResult['problem']>, string> = {
  unreachable: 'The storage endpoint did not answer (unreachable, DNS, TLS or a firewall). Check the endpoint URL and region in step 2, then verify again.',
  credentials: "The server's S3 credentials were refused. Check the credentials Spillway runs with, then verify again.",
  bucket: 'The bucket does not exist, or its name is misspelled. Fix the bucket name in step 2, then verify again.',
  region: 'The bucket is in another region. Fix the region in step 2, then verify again.',
  permissions: 'Some permissions are missing. Update the bucket policy as shown, then verify again.',
};

interface Form {
  projectId: number | null;
  exportEvents: boolean;
  exportMerged: boolean;
  awsAccountId: string;
  bucket: string;
  region: string;
  prefix: string;
  kmsKeyArn: string;
  compatible: boolean;
  endpoint: string;
  /** null: Amplitude's flat names */
  keyFolders: string | null;
  /** null: every event type */
  eventFilter: EventFilter | null;
  fileFormat: FileFormat;
}

interface Policies {
  principal: { arn: string; roleArn: string | null };
  bucketPolicy: unknown;
  kmsKeyPolicy: unknown | null;
  kmsKeyPolicyNote: string | null;
}

/** A form error: the first bad field, and every bad field's message when the server named several. */
interface FormError {
  field?: string;
  message: string;
  fields?: Record<string, string>;
}

const messageFor = (error: FormError | null, id: string): string | null => error?.fields?.[id] ?? (error?.field === id ? error.message : null);

function Field(props: { id: keyof Form; label: string; hint?: string; error: FormError | null; children: ReactNode }) {
  const message = messageFor(props.error, props.id);
  const bad = message !== null;
  return (
    <div>
      <label htmlFor={props.id}>
        {props.label} {props.hint ? <span className="hint">{props.hint}</span> : null}
      </label>
      {props.children}
      {bad ? (
        <div className="field-error" id={`${props.id}-error`} role="alert">
          {message}
        </div>
      ) : null}
    </div>
  );
}

export default function NewDestination() {
  return (
    <Shell title="Connect Amazon S3">
      {(me) => (me.role === 'admin' ? <Wizard /> : <p className="error">Only an admin of your organisation can add a connection.</p>)}
    </Shell>
  );
}

function Wizard() {
  const projects = useQuery({ queryKey: ['projects'], queryFn: () => api<{ projects: Project[] }>('/api/projects') });
  const [step, setStep] = useState(0);
  const [form, setForm] = useState<Form>({
    projectId: null,
    exportEvents: true,
    exportMerged: false,
    awsAccountId: '',
    bucket: '',
    region: 'us-east-1',
    prefix: '',
    kmsKeyArn: '',
    compatible: false,
    endpoint: '',
    keyFolders: null,
    eventFilter: null,
    fileFormat: 'json',
  });
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const [policies, setPolicies] = useState<Policies | null>(null);
  const [checks, setChecks] = useState<VerifyResult | null>(null);
  const [createdId, setCreatedId] = useState<number | null>(null);

  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const payload = () => ({
    projectId: form.projectId,
    exportEvents: form.exportEvents,
    exportMerged: form.exportMerged,
    awsAccountId: form.awsAccountId,
    bucket: form.bucket,
    region: form.region,
    prefix: form.prefix,
    kmsKeyArn: form.kmsKeyArn,
    endpoint: form.compatible ? form.endpoint : '',
    keyFolders: form.keyFolders ?? '',
    eventFilter: form.exportEvents ? form.eventFilter : null,
    fileFormat: form.fileFormat,
  });
  const fail = (e: unknown) => {
    const body = e instanceof ApiError ? e.body : {};
    const fields = body.fields && typeof body.fields === 'object' ? (body.fields as Record<string, string>) : undefined;
    setError({ field: typeof body.field === 'string' ? body.field : undefined, message: (e as Error).message, fields });
  };
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  const verify = () =>
    run(async () => {
      setChecks(null);
      setChecks(await api<VerifyResult>('/api/destinations/verify', { body: payload() }));
    });
  const input = (id: keyof Form, props: Record<string, unknown> = {}) => (
    <input
      id={id}
      type="text"
      value={String(form[id] ?? '')}
      onChange={(e) => set(id, e.target.value as never)}
      aria-invalid={messageFor(error, id) !== null}
      aria-describedby={messageFor(error, id) !== null ? `${id}-error` : undefined}
      autoComplete="off"
      spellCheck={false}
      {...props}
    />
  );

  const list = projects.data?.projects ?? [];
  const sources = list.filter((p) => !p.isPortfolio);
  useEffect(() => {
    if (form.projectId === null && sources.length > 0) set('projectId', sources[0].id);
  }, [form.projectId, sources]);

  return (
    <>
      <ol className="steps" aria-label="Setup steps">
        {STEPS.map((s, i) => (
          <li key={s} aria-current={i === step ? 'step' : undefined} className={i < step ? 'done' : ''}>
            {i + 1}. {s}
          </li>
        ))}
      </ol>
      {error && (step !== 1 || !error.field) ? (
        <p className="error" role="alert">
          {error.message}
        </p>
      ) : null}

      {step === 0 ? (
        <form
          className="card"
          onSubmit={(e) => {
            e.preventDefault();
            if (form.exportEvents || form.exportMerged) {
              setError(null);
              setStep(1);
            } else setError({ message: 'Choose events, merged Amplitude IDs, or both' });
          }}
        >
          <label htmlFor="projectId">Project</label>
          {projects.isLoading ? (
            <p className="muted">Loading projects…</p>
          ) : sources.length === 0 ? (
            <p className="error">
              No project can be exported yet: <Link href="/">create a project</Link> (portfolio projects cannot be exported).
            </p>
          ) : (
            <select id="projectId" value={form.projectId ?? ''} onChange={(e) => set('projectId', Number(e.target.value))}>
              {list.map((p) => (
                <option key={p.id} value={p.id} disabled={p.isPortfolio}>
                  {p.name} ({p.id}){p.isPortfolio ? ' — portfolio, cannot be exported' : ''}
                </option>
              ))}
            </select>
          )}
          <fieldset style={{ border: 0, padding: 0, margin: '1rem 0 0' }}>
            <legend style={{ fontWeight: 600 }}>Which data to export</legend>
            <label className="row" style={{ fontWeight: 400 }}>
              <input type="checkbox" checked={form.exportEvents} onChange={(e) => set('exportEvents', e.target.checked)} /> Export events ingested today and
              moving forward
            </label>
            <label className="row" style={{ fontWeight: 400 }}>
              <input type="checkbox" checked={form.exportMerged} onChange={(e) => set('exportMerged', e.target.checked)} /> Export all merged Amplitude IDs
            </label>
          </fieldset>
          {form.exportEvents ? (
            <EventFilterField value={form.eventFilter} onChange={(v) => set('eventFilter', v)} error={messageFor(error, 'eventFilter')} />
          ) : null}
          <p>
            <button type="submit" disabled={sources.length === 0}>
              Next
            </button>
          </p>
        </form>
      ) : null}

      {step === 1 ? (
        <form
          className="card"
          onSubmit={(e) => {
            e.preventDefault();
            run(async () => {
              setPolicies(await api<Policies>('/api/destinations/policy', { body: payload() }));
              setStep(2);
            });
          }}
        >
          <h2 style={{ marginTop: 0 }}>Create a bucket</h2>
          <p>
            In the AWS console, open S3 and create a bucket (or pick an existing one) for the export. Note its name and region. Block Public Access can stay on.
          </p>
          <h2>Add a bucket policy</h2>
          <p>
            Spillway generates the policy from the information below. You will paste it under the bucket&apos;s <em>Permissions → Bucket policy</em>. It lets
            Spillway list the bucket, read its region, and write and replace export files under the prefix only.
          </p>
          <h2>S3 bucket information</h2>
          <div className="grid2">
            <Field id="awsAccountId" label="AWS account ID" hint={form.compatible ? '(optional for S3-compatible stores)' : '12 digits'} error={error}>
              {input('awsAccountId', { inputMode: 'numeric', placeholder: '123456789012' })}
            </Field>
            <Field id="bucket" label="Bucket name" error={error}>
              {input('bucket', { required: true, placeholder: 'my-company-analytics' })}
            </Field>
            <Field id="region" label="Region" error={error}>
              {input('region', { required: true })}
            </Field>
            <Field id="prefix" label="Prefix" hint="(optional folder, e.g. amplitude/)" error={error}>
              {input('prefix', { placeholder: 'amplitude/' })}
            </Field>
            <Field id="kmsKeyArn" label="KMS key ARN" hint="(optional: encrypt files with SSE-KMS)" error={error}>
              {input('kmsKeyArn', { placeholder: 'arn:aws:kms:us-east-1:123456789012:key/…' })}
            </Field>
          </div>
          <label className="row" style={{ fontWeight: 400, marginTop: '1rem' }}>
            <input type="checkbox" checked={form.compatible} onChange={(e) => set('compatible', e.target.checked)} /> The bucket is on an S3-compatible store
            (MinIO, Ceph, R2…), not AWS
          </label>
          {form.compatible ? (
            <Field id="endpoint" label="Endpoint URL" hint="(the server only, no bucket)" error={error}>
              {input('endpoint', { placeholder: 'https://s3.example.com', required: true })}
            </Field>
          ) : null}
          <KeyLayout
            value={form.keyFolders}
            onChange={(v) => set('keyFolders', v)}
            prefix={form.prefix}
            projectId={form.projectId}
            fileFormat={form.fileFormat}
            error={messageFor(error, 'keyFolders')}
          />
          {form.exportEvents ? <FileFormatField value={form.fileFormat} onChange={(v) => set('fileFormat', v)} /> : null}
          {error?.field && !['awsAccountId', 'bucket', 'region', 'prefix', 'kmsKeyArn', 'endpoint', 'keyFolders', 'eventFilter'].includes(error.field) ? (
            <p className="error" role="alert">
              {error.message}
            </p>
          ) : null}
          <p className="row">
            <button type="button" className="secondary" onClick={() => setStep(0)}>
              Back
            </button>
            <button type="submit" disabled={busy}>
              {busy ? 'Generating…' : 'Generate Bucket Policy'}
            </button>
          </p>
        </form>
      ) : null}

      {step === 2 && policies ? (
        <>
          <div className="card">
            <p>
              Paste this policy under <strong>s3://{form.bucket}</strong> → Permissions → Bucket policy
              {policies.kmsKeyPolicy ? ', and the key policy under the KMS key → Key policy' : ''}. It trusts <code>{policies.principal.arn}</code>
              {policies.principal.roleArn ? ', the IAM role Spillway uses for this project only' : ''}.
            </p>
          </div>
          <PolicyBlock title="Bucket policy" policy={policies.bucketPolicy} filename={`${form.bucket}-bucket-policy.json`} />
          {policies.kmsKeyPolicyNote ? <p className="warn">{policies.kmsKeyPolicyNote}</p> : null}
          {policies.kmsKeyPolicy ? <PolicyBlock title="KMS key policy" policy={policies.kmsKeyPolicy} filename={`${form.bucket}-kms-key-policy.json`} /> : null}
          <p className="row">
            <button type="button" className="secondary" onClick={() => setStep(1)}>
              Back
            </button>
            <button
              type="button"
              onClick={() => {
                setStep(3);
                verify();
              }}
            >
              Next: verify access
            </button>
          </p>
        </>
      ) : null}

      {step === 3 ? (
        <div className="card" aria-live="polite">
          <h2 style={{ marginTop: 0 }}>Verify bucket access</h2>
          {busy && !checks ? <p className="muted">Checking each permission against s3://{form.bucket}…</p> : null}
          {checks ? (
            <>
              {checks.ok ? (
                <p className="notice">Every permission works. Create the connection to start hourly exports now.</p>
              ) : (
                <p className="error" role="alert">
                  {PROBLEM_TEXT[checks.problem ?? 'permissions']}
                </p>
              )}
              <Checks checks={checks.checks} />
            </>
          ) : null}
          <p className="row">
            <button type="button" className="secondary" onClick={() => setStep(2)}>
              Back to the policy
            </button>
            <button type="button" className="secondary" onClick={verify} disabled={busy}>
              Verify again
            </button>
            <button
              type="button"
              disabled={busy || !checks?.ok}
              onClick={() =>
                run(async () => {
                  const r = await api<{ id: number }>('/api/destinations', { body: payload() });
                  setCreatedId(r.id);
                  setStep(4);
                })
              }
            >
              Create connection
            </button>
          </p>
        </div>
      ) : null}

      {step === 4 && createdId ? (
        <div className="card">
          <h2 style={{ marginTop: 0 }}>Connected</h2>
          <p>
            Hourly exports to{' '}
            <code>
              s3://{form.bucket}/{form.prefix}
            </code>{' '}
            have started, beginning with today&apos;s hours. Each hour is exported a few minutes after it ends.
          </p>
          <p>
            <Link className="button" href={`/destinations/${createdId}`}>
              See export status
            </Link>
          </p>
        </div>
      ) : null}
    </>
  );
}
