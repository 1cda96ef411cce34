'use client';
import { useEffect, useState } from 'react';
import { api } from '../ui/api';

/** Where to go after signing in: a path of this app only (never another site). */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

export default function SignIn() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<{ needsSetup: boolean }>('/api/setup')
      .then((r) => {
        if (r.needsSetup) location.href = '/setup';
      })
      .catch(() => {});
  }, []);
  return (
    <main className="narrow">
      <h1>Sign in to Spillway</h1>
      <form
        className="card"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await api('/api/auth/signin', { body: { email, password } });
            location.href = safeNext(new URLSearchParams(location.search).get('next'));
          } catch (err) {
            setError((err as Error).message);
            setBusy(false);
          }
        }}
      >
        <label htmlFor="email">Email</label>
        <input id="email" type="email" required autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor="password">Password</label>
        <input id="password" type="password" required autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <p>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </p>
      </form>
    </main>
  );
}
