'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { api } from './api';

export interface Me {
  user: { id: number; orgId: number; email: string; name: string; role: 'admin' | 'member'; orgName: string };
}

export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      const me = await api<{ user: Me['user'] | null }>('/api/me');
      // nobody signed in: to the sign-in page, back here after it
      if (!me.user) {
        location.href = `/signin?next=${encodeURIComponent(location.pathname + location.search)}`;
        return new Promise<Me>(() => {});
      }
      return me as Me;
    },
  });
}

/** Page frame with navigation; renders children only once the session is known. */
export function Shell({ children, title }: { children: (me: Me['user']) => ReactNode; title: string }) {
  const me = useMe();
  return (
    <>
      <header className="top">
        <Link href="/" className="brand">
          Spillway
        </Link>
        <nav aria-label="Main">
          <Link href="/">Projects</Link>
          <Link href="/destinations">Destinations</Link>
          <Link href="/team">Team</Link>
          {me.data?.user.role === 'admin' ? <Link href="/notifications">Notifications</Link> : null}
        </nav>
        {me.data ? (
          <span className="row">
            <span>
              {me.data.user.email} · {me.data.user.orgName}
            </span>
            <button
              className="secondary"
              onClick={async () => {
                await api('/api/auth/signout', { method: 'POST', body: {} });
                location.href = '/signin';
              }}
            >
              Sign out
            </button>
          </span>
        ) : null}
      </header>
      <main>
        <h1>{title}</h1>
        {me.isLoading ? <p className="muted">Loading…</p> : me.error ? <p className="error">{String(me.error.message)}</p> : children(me.data!.user)}
      </main>
      {/* the data's licence (CC BY 4.0) asks for this link where its results are used */}
      <footer className="muted" style={{ fontSize: '.8rem', padding: '1rem 1.5rem' }}>
        Country, region and city in exports: <a href="https://db-ip.com/">IP Geolocation by DB-IP</a>
      </footer>
    </>
  );
}
