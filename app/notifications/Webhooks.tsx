'use client';
// The organisation's webhooks on the Notifications page: add one (URL, Slack-compatible or not), see
// its signing secret, delete it, and the messages sent to them.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../ui/api';
import { Outgoing } from './Outgoing';

interface Webhook {
  id: number;
  url: string;
  format: 'json' | 'slack';
  secret: string;
  createdAt: number;
}

interface Delivery {
  id: number;
  webhookId: number;
  event: string;
  text: string;
  createdAt: number;
  sentAt: number | null;
  attempts: number;
  lastError: string | null;
}

export function Webhooks() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['webhooks'], queryFn: () => api<{ webhooks: Webhook[]; deliveries: Delivery[] }>('/api/webhooks'), refetchInterval: 15_000 });
  const [url, setUrl] = useState('');
  const [slack, setSlack] = useState(false);
  const refresh = () => qc.invalidateQueries({ queryKey: ['webhooks'] });
  const add = useMutation({
    mutationFn: () => api('/api/webhooks', { body: { url, format: slack ? 'slack' : 'json' } }),
    onSuccess: () => {
      setUrl('');
      refresh();
    },
  });
  const del = useMutation({ mutationFn: (id: number) => api(`/api/webhooks/${id}`, { method: 'DELETE' }), onSuccess: refresh });
  if (q.isLoading) return <p className="muted">Loading webhooks…</p>;
  if (q.error) return <p className="error">{q.error.message}</p>;
  const { webhooks, deliveries } = q.data!;
  const urlOf = (id: number) => webhooks.find((w) => w.id === id)?.url ?? `webhook ${id}`;
  return (
    <div className="card">
      <h2 style={{ marginTop: 0 }}>Webhooks</h2>
      <p className="muted">
        Each failed export, each recovery and each hour still not exported 3 hours after it ended is also POSTed here, signed:{' '}
        <code>X-Spillway-Signature: t=…,v1=…</code> is the HMAC-SHA256 of <code>t.body</code> with the webhook&apos;s secret.
      </p>
      {webhooks.length > 0 ? (
        <div className="table-wrap">
          <table aria-label="Webhooks">
            <thead>
              <tr>
                <th>URL</th>
                <th>Format</th>
                <th>Signing secret</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {webhooks.map((w) => (
                <tr key={w.id}>
                  <td style={{ wordBreak: 'break-all' }}>{w.url}</td>
                  <td>{w.format === 'slack' ? 'Slack-compatible' : 'JSON'}</td>
                  <td>
                    <code>{w.secret}</code>
                  </td>
                  <td>
                    <button className="secondary" onClick={() => del.mutate(w.id)} disabled={del.isPending}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <form
        className="row"
        style={{ marginTop: '1rem' }}
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <label htmlFor="webhook-url" style={{ margin: 0 }}>
          Webhook URL
        </label>
        <input
          id="webhook-url"
          type="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          required
          style={{ maxWidth: 420 }}
          placeholder="https://hooks.example.com/spillway"
        />
        <label className="row" style={{ margin: 0, fontWeight: 400 }}>
          <input type="checkbox" checked={slack} onChange={(e) => setSlack(e.target.checked)} /> Slack-compatible (<code>{'{"text": …}'}</code>)
        </label>
        <button type="submit" disabled={add.isPending}>
          Add webhook
        </button>
        {add.error ? (
          <span className="error" role="alert">
            {add.error.message}
          </span>
        ) : null}
      </form>
      {deliveries.length > 0 ? (
        <div className="table-wrap" style={{ marginTop: '1rem' }}>
          <Outgoing
            label="Webhook messages"
            whatHeader="Message"
            sentWord="delivered"
            rows={deliveries.map((d) => ({ ...d, to: urlOf(d.webhookId), what: d.text }))}
          />
        </div>
      ) : null}
    </div>
  );
}
