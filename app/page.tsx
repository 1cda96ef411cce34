'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from './ui/api';
import { Shell } from './ui/Shell';
import type { Project } from './ui/types';

interface Count {
  projectId: number;
  hour: string;
  events: number;
}

function HourlyCounts({ projects }: { projects: Project[] }) {
  const stats = useQuery({ queryKey: ['stats'], queryFn: () => api<{ counts: Count[] }>('/api/stats?hours=48'), refetchInterval: 10_000 });
  if (stats.isLoading) return <p className="muted">Loading counts…</p>;
  if (stats.error) return <p className="error">{stats.error.message}</p>;
  const counts = stats.data!.counts;
  if (counts.length === 0) return <p className="muted">No events in the last 48 hours yet. Send one with the commands above.</p>;
  const name = (id: number) => projects.find((p) => p.id === id)?.name ?? `Project ${id}`;
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label="Projects (scrolls sideways on small screens)">
      <table aria-label="Events per project and hour">
        <thead>
          <tr>
            <th>Hour (UTC)</th>
            <th>Project</th>
            <th>Events</th>
          </tr>
        </thead>
        <tbody>
          {[...counts].reverse().map((c) => (
            <tr key={`${c.projectId}-${c.hour}`}>
              <td>{c.hour.slice(0, 13).replace('T', ' ')}:00</td>
              <td>
                {name(c.projectId)} ({c.projectId})
              </td>
              <td>{c.events}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Which web origins may send this project's events from a browser (any, by default). */
function AllowedOrigins({ project, onDone }: { project: Project; onDone: () => void }) {
  const qc = useQueryClient();
  const [text, setText] = useState(project.allowedOrigins ? (JSON.parse(project.allowedOrigins) as string[]).join('\n') : '');
  const save = useMutation({
    mutationFn: () => api(`/api/projects/${project.id}`, { method: 'PATCH', body: { allowedOrigins: text.trim() ? text : null } }),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['projects'] });
      onDone();
    },
  });
  return (
    <form
      className="card"
      aria-label={`Allowed origins of ${project.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <h2 style={{ marginTop: 0 }}>Allowed origins: {project.name}</h2>
      <p className="muted">
        Web pages on these origins may send events with this project&apos;s key from a browser, one per line (<code>https://shop.example</code>, or{' '}
        <code>https://*.shop.example</code> for its subdomains). Leave empty to accept any origin. Servers and mobile apps send no origin and are always
        accepted.
      </p>
      <textarea
        id="origins"
        aria-label="Allowed origins"
        rows={4}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          save.reset();
        }}
        placeholder="any origin"
      />
      <div className="row" style={{ marginTop: '0.5rem' }}>
        <button type="submit" disabled={save.isPending}>
          Save origins
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
        {save.error ? <span className="error">{save.error.message}</span> : null}
      </div>
    </form>
  );
}

const originsLabel = (p: Project) => (p.allowedOrigins ? (JSON.parse(p.allowedOrigins) as string[]).join(', ') : 'any');

function Projects({ isAdmin }: { isAdmin: boolean }) {
  const qc = useQueryClient();
  const projects = useQuery({ queryKey: ['projects'], queryFn: () => api<{ projects: Project[] }>('/api/projects') });
  const [name, setName] = useState('');
  const [portfolio, setPortfolio] = useState(false);
  const [editing, setEditing] = useState<number | null>(null);
  const create = useMutation({
    mutationFn: () => api('/api/projects', { body: { name, isPortfolio: portfolio } }),
    onSuccess: () => {
      setName('');
      qc.invalidateQueries({ queryKey: ['projects'] });
    },
  });
  const rotate = useMutation({
    mutationFn: (id: number) => api(`/api/projects/${id}/rotate-key`, { method: 'POST', body: {} }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['projects'] }),
  });
  const [secret, setSecret] = useState<{ project: Project; key: string } | null>(null);
  const makeSecret = useMutation({
    mutationFn: (p: Project) =>
      api<{ secretKey: string }>(`/api/projects/${p.id}/secret-key`, { method: 'POST', body: {} }).then((r) => ({ project: p, key: r.secretKey })),
    onSuccess: (r) => {
      setSecret(r);
      qc.invalidateQueries({ queryKey: ['projects'] });
    },
  });
  const origin = typeof window !== 'undefined' ? window.location.origin : '';
  if (projects.isLoading) return <p className="muted">Loading projects…</p>;
  if (projects.error) return <p className="error">{projects.error.message}</p>;
  const list = projects.data!.projects;
  const first = list.find((p) => p.apiKey && !p.apiKey.startsWith('•'));
  return (
    <>
      <div className="card table-wrap">
        <table aria-label="Projects">
          <thead>
            <tr>
              <th>ID</th>
              <th>Project</th>
              <th>Ingestion API key</th>
              <th>Browser origins</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr key={p.id}>
                <td>{p.id}</td>
                <td>
                  {p.name} {p.isPortfolio ? <span className="badge">portfolio</span> : null}
                </td>
                <td>{p.isPortfolio ? <span className="muted">none (portfolio projects cannot receive events)</span> : <code>{p.apiKey}</code>}</td>
                <td>{p.isPortfolio ? null : originsLabel(p)}</td>
                <td>
                  {isAdmin && !p.isPortfolio ? (
                    <div className="row">
                      <button className="secondary" onClick={() => setEditing(p.id)}>
                        Origins…
                      </button>
                      <button
                        className="secondary"
                        onClick={() => {
                          if (confirm('Rotate this key? SDKs using the old key will be refused.')) rotate.mutate(p.id);
                        }}
                      >
                        Rotate key
                      </button>
                      <button
                        className="secondary"
                        onClick={() => {
                          if (!p.hasSecretKey || confirm('Make a new secret key? Export API clients using the old one will be refused.')) makeSecret.mutate(p);
                        }}
                      >
                        {p.hasSecretKey ? 'New secret key' : 'Secret key…'}
                      </button>
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {isAdmin ? (
          <form
            className="row"
            style={{ marginTop: '1rem' }}
            onSubmit={(e) => {
              e.preventDefault();
              create.mutate();
            }}
          >
            <label htmlFor="pname" style={{ margin: 0 }}>
              New project
            </label>
            <input id="pname" type="text" value={name} onChange={(e) => setName(e.target.value)} style={{ maxWidth: 260 }} required maxLength={100} />
            <label
              className="row"
              style={{ margin: 0, fontWeight: 400 }}
              title="A portfolio project groups other projects for analysis in Amplitude. It has no API key: it receives no events and cannot be exported."
            >
              <input type="checkbox" checked={portfolio} onChange={(e) => setPortfolio(e.target.checked)} aria-describedby="portfolio-help" /> portfolio
            </label>
            <button type="submit" disabled={create.isPending}>
              Create
            </button>
            {create.error ? <span className="error">{create.error.message}</span> : null}
            <p id="portfolio-help" className="muted" style={{ margin: 0, flexBasis: '100%', fontSize: '.85rem' }}>
              A <strong>portfolio</strong> project groups other projects (as in Amplitude): it has no API key, receives no events and cannot be exported.
            </p>
          </form>
        ) : null}
      </div>
      {secret ? (
        <div className="card" role="status">
          <h2 style={{ marginTop: 0 }}>Export API secret key of {secret.project.name}</h2>
          <p>
            <code>{secret.key}</code> — shown this once: copy it now. With the project&apos;s API key it opens Amplitude&apos;s Export API on this server:
          </p>
          <pre tabIndex={0}>{`curl -u ${secret.project.apiKey}:${secret.key} '${origin}/api/2/export?start=20260101T00&end=20260101T23' -o export.zip`}</pre>
          <button className="secondary" onClick={() => setSecret(null)}>
            Done
          </button>
        </div>
      ) : null}
      {makeSecret.error ? <p className="error">{makeSecret.error.message}</p> : null}
      {editing !== null && list.find((p) => p.id === editing) ? (
        <AllowedOrigins key={editing} project={list.find((p) => p.id === editing)!} onDone={() => setEditing(null)} />
      ) : null}
      {first ? (
        <div className="card">
          <h2 style={{ marginTop: 0 }}>Send a first event</h2>
          <pre tabIndex={0}>{`curl -X POST ${origin}/2/httpapi -H 'Content-Type: application/json' \\
  -d '{"api_key":"${first.apiKey}","events":[{"user_id":"user@example.com","event_type":"Signed Up"}]}'`}</pre>
          <p className="muted">From a web page, with the official browser SDK (any origin, unless the project limits them):</p>
          <pre tabIndex={0}>{`amplitude.init('${first.apiKey}', { serverUrl: '${origin}/2/httpapi' });`}</pre>
          <p className="muted">
            Legacy amplitude-js 8.x: <code>apiEndpoint: &apos;{origin.replace(/^https?:\/\//, '')}&apos;</code>; the mobile SDKs: server URL{' '}
            <code>{origin}/2/httpapi</code> (or <code>{origin}/</code> for the legacy ones). See the README for every endpoint.
          </p>
        </div>
      ) : null}
      <h2>Events per hour</h2>
      <div className="card">
        <HourlyCounts projects={list} />
      </div>
    </>
  );
}

export default function Home() {
  return <Shell title="Projects">{(me) => <Projects isAdmin={me.role === 'admin'} />}</Shell>;
}
