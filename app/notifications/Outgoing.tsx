'use client';
// A table of messages Spillway sends (emails, webhook messages): when made, to whom, what, and whether
// it went out or is still queued with its tries and last error.
import type { ReactNode } from 'react';
import { fmtTime } from '../ui/format';

export interface OutgoingRow {
  id: number;
  createdAt: number;
  to: ReactNode;
  what: ReactNode;
  sentAt: number | null;
  attempts: number;
  lastError: string | null;
}

export function Outgoing(props: { label: string; whatHeader: string; sentWord: string; rows: OutgoingRow[] }) {
  return (
    <table aria-label={props.label}>
      <thead>
        <tr>
          <th>Created</th>
          <th>To</th>
          <th>{props.whatHeader}</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.id}>
            <td>{fmtTime(r.createdAt)}</td>
            <td style={{ wordBreak: 'break-all' }}>{r.to}</td>
            <td>{r.what}</td>
            <td>
              {r.sentAt ? (
                <span className="badge ok">
                  {props.sentWord} {fmtTime(r.sentAt)}
                </span>
              ) : (
                <span className="badge pending">queued{r.attempts ? ` (${r.attempts} tries${r.lastError ? `: ${r.lastError}` : ''})` : ''}</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
