'use client';
// Accepting an invitation: the token travels in the URL fragment, so it never reaches server logs.
import { useEffect, useState } from 'react';
import { api } from '../ui/api';

export default function Invite() {
  const [token, setToken] = useState('');
  const [info, setInfo] = useState<{ email: string; role: string; orgName: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  useEffect(() => {
    const t = location.hash.slice(1);
    setToken(t);
    api<{ email: string; role: string; orgName: string }>('/api/invitations/accept', { body: { token: t } }).then(setInfo, (e) =>
      setError((e as Error).message),
    );
  }, []);
  return (
    <main className="narrow">
      <h1>Join Spillway</h1>
      {error && !info ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {info ? (
        <form
          className="card"
          onSubmit={async (e) => {
            e.preventDefault();
            setError(null);
            try {
              await api('/api/invitations/accept', { body: { token, password, name } });
              location.href = '/';
            } catch (err) {
              setError((err as Error).message);
            }
          }}
        >
          <p>
            You are invited to <strong>{info.orgName}</strong> as {info.role}, as <strong>{info.email}</strong>.
          </p>
          <label htmlFor="name">Your name</label>
          <input id="name" type="text" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
          <label htmlFor="password">
            Choose a password <span className="hint">(at least 12 characters)</span>
          </label>
          <input id="password" type="password" required autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          {error ? (
            <p className="error" role="alert">
              {error}
            </p>
          ) : null}
          <p>
            <button type="submit">Join</button>
          </p>
        </form>
      ) : null}
    </main>
  );
}
