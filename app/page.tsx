'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from './ui/api';
import { Shell } from './ui/Shell';
import type { Project } from './ui/types';

interface Count { projectId: number; hour: string; events: number }

function HourlyCounts({ projects }: { projects: Project[] }) {
  const stats = useQuery({ queryKey: ['stats'], queryFn: () => api<{ counts: Count[] }>('/api/stats?hours=48'), refetchInterval: 10_000 });
  if (stats.isLoading) return <p className="muted">Loading counts…</p>;
  if (stats.error) return <p className="error">{stats.error.message}</p>;
  const counts = stats.data!.counts;
  if (counts.length === 0) return <p className="muted">No events in the last 48 hours yet. Send one with the commands above.</p>;
  const name = (id: number) => projects.find((p) => p.id === id)?.name ?? `Project ${id}`;
  return (
    <div className="table-wrap">
      <table aria-label="Events per project and hour">
        <thead><tr><th>Hour (UTC)</th><th>Project</th><th>Events</th></tr></thead>
        <tbody>
          {[...counts].reverse().map((c) => (
            <tr key={`${c.projectId}-${c.hour}`}><td>{c.hour.slice(0, 13).replace('T', ' ')}:00</td><td>{name(c.projectId)} ({c.projectId})</td><td>{c.events}</td></tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Projects({ isAdmin }: { isAdmin: boolean }) {
  const qc = useQueryClient();
  const projects = useQuery({ queryKey: ['projects'], queryFn: () => api<{ projects: Project[] }>('/api/projects') });
  const [name, setName] = useState('');
  const [portfolio, setPortfolio] = useState(false);
  const create = useMutation({
    mutationFn: () => api('/api/projects', { body: { name, isPortfolio: portfolio } }),
    onSuccess: () => { setName(''); qc.invalidateQueries({ queryKey: ['projects'] }); },
  });
  const rotate = useMutation({
    mutationFn: (id: number) => api(`/api/projects/${id}/rotate-key`, { method: 'POST', body: {} }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['projects'] }),
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
          <thead><tr><th>ID</th><th>Project</th><th>Ingestion API key</th><th></th></tr></thead>
          <tbody>
            {list.map((p) => (
              <tr key={p.id}>
                <td>{p.id}</td>
                <td>{p.name} {p.isPortfolio ? <span className="badge">portfolio</span> : null}</td>
                <td>{p.isPortfolio ? <span className="muted">none (portfolio projects cannot receive events)</span> : <code>{p.apiKey}</code>}</td>
                <td>{isAdmin && !p.isPortfolio ? <button className="secondary" onClick={() => { if (confirm('Rotate this key? SDKs using the old key will be refused.')) rotate.mutate(p.id); }}>Rotate key</button> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {isAdmin ? (
          <form className="row" style={{ marginTop: '1rem' }} onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
            <label htmlFor="pname" style={{ margin: 0 }}>New project</label>
            <input id="pname" type="text" value={name} onChange={(e) => setName(e.target.value)} style={{ maxWidth: 260 }} required maxLength={100} />
            <label className="row" style={{ margin: 0, fontWeight: 400 }}><input type="checkbox" checked={portfolio} onChange={(e) => setPortfolio(e.target.checked)} /> portfolio</label>
            <button type="submit" disabled={create.isPending}>Create</button>
            {create.error ? <span className="error">{create.error.message}</span> : null}
          </form>
        ) : null}
      </div>
      {first ? (
        <div className="card">
          <h2 style={{ marginTop: 0 }}>Send a first event</h2>
          <pre>{`curl -X POST ${origin}/2/httpapi -H 'Content-Type: application/json' \\
  -d '{"api_key":"${first.apiKey}","events":[{"user_id":"user@example.com","event_type":"Signed Up"}]}'`}</pre>
        </div>
      ) : null}
      <h2>Events per hour</h2>
      <div className="card"><HourlyCounts projects={list} /></div>
    </>
  );
}

export default function Home() {
  return <Shell title="Projects">{(me) => <Projects isAdmin={me.role === 'admin'} />}</Shell>;
}
