'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { api } from '../ui/api';
import { Shell } from '../ui/Shell';
import { Outgoing } from './Outgoing';
import { Webhooks } from './Webhooks';

interface Notification {
  id: number;
  destinationId: number | null;
  recipients: string[];
  subject: string;
  body: string;
  createdAt: number;
  sentAt: number | null;
  attempts: number;
  lastError: string | null;
}

export default function Notifications() {
  return (
    <Shell title="Notifications">
      {(me) =>
        me.role === 'admin' ? (
          <>
            <List />
            <Webhooks />
          </>
        ) : (
          <p className="error">Only admins see the organisation&apos;s notifications.</p>
        )
      }
    </Shell>
  );
}

function List() {
  const q = useQuery({ queryKey: ['notifications'], queryFn: () => api<{ notifications: Notification[] }>('/api/notifications'), refetchInterval: 15_000 });
  if (q.isLoading) return <p className="muted">Loading…</p>;
  if (q.error) return <p className="error">{q.error.message}</p>;
  const list = q.data!.notifications;
  return (
    <>
      <p className="muted">
        Emails Spillway sent (or is sending) to your organisation: one per failing connection, to its admins and the connection&apos;s creator.
      </p>
      {list.length === 0 ? (
        <div className="card">
          <p>No email has been sent. You will see one here if an export fails.</p>
        </div>
      ) : (
        <div className="card table-wrap">
          <Outgoing
            label="Notifications"
            whatHeader="Subject"
            sentWord="sent"
            rows={list.map((n) => ({
              ...n,
              to: n.recipients.join(', '),
              what: (
                <>
                  <details>
                    <summary>{n.subject}</summary>
                    <pre style={{ whiteSpace: 'pre-wrap' }} tabIndex={0}>
                      {n.body}
                    </pre>
                  </details>
                  {n.destinationId ? <Link href={`/destinations/${n.destinationId}`}>connection</Link> : null}
                </>
              ),
            }))}
          />
        </div>
      )}
    </>
  );
}
