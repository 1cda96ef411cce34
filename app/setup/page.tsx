'use client';
import { useState } from 'react';
import { api } from '../ui/api';

export default function Setup() {
  const [form, setForm] = useState({ orgName: '', name: '', email: '', password: '', projectName: '' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });
  return (
    <main className="narrow">
      <h1>Welcome to Spillway</h1>
      <p className="muted">Create your organisation and its first admin. This screen works only while no user exists.</p>
      <form
        className="card"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await api('/api/setup', { body: form });
            location.href = '/';
          } catch (err) {
            setError((err as Error).message);
            setBusy(false);
          }
        }}
      >
        <label htmlFor="orgName">Organisation name</label>
        <input id="orgName" type="text" required maxLength={100} value={form.orgName} onChange={set('orgName')} />
        <label htmlFor="name">
          Your name <span className="hint">(optional)</span>
        </label>
        <input id="name" type="text" maxLength={100} value={form.name} onChange={set('name')} />
        <label htmlFor="email">Email</label>
        <input id="email" type="email" required autoComplete="username" value={form.email} onChange={set('email')} />
        <label htmlFor="password">
          Password <span className="hint">(at least 10 characters)</span>
        </label>
        <input id="password" type="password" required minLength={10} autoComplete="new-password" value={form.password} onChange={set('password')} />
        <label htmlFor="projectName">First project name</label>
        <input id="projectName" type="text" maxLength={100} placeholder="My first project" value={form.projectName} onChange={set('projectName')} />
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <p>
          <button type="submit" disabled={busy}>
            Create organisation
          </button>
        </p>
      </form>
    </main>
  );
}
