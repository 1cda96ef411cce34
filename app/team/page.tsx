'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../ui/api';
import { fmtTime } from '../ui/format';
import { Shell } from '../ui/Shell';

interface User {
  id: number;
  email: string;
  name: string;
  role: string;
}
interface Invitation {
  id: string;
  email: string;
  role: string;
  expiresAt: number;
}

export default function Team() {
  return <Shell title="Team">{(me) => <TeamPage isAdmin={me.role === 'admin'} />}</Shell>;
}

function TeamPage({ isAdmin }: { isAdmin: boolean }) {
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => api<{ users: User[] }>('/api/users') });
  const invites = useQuery({ queryKey: ['invitations'], queryFn: () => api<{ invitations: Invitation[] }>('/api/invitations'), enabled: isAdmin });
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('member');
  const [link, setLink] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => api<{ link: string }>('/api/invitations', { body: { email, role } }),
    onSuccess: (r) => {
      setLink(r.link);
      setEmail('');
      qc.invalidateQueries({ queryKey: ['invitations'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/api/invitations?id=${id}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['invitations'] }),
  });
  return (
    <>
      <div className="card table-wrap">
        <table aria-label="Users">
          <thead>
            <tr>
              <th>Email</th>
              <th>Name</th>
              <th>Role</th>
            </tr>
          </thead>
          <tbody>
            {users.data?.users.map((u) => (
              <tr key={u.id}>
                <td>{u.email}</td>
                <td>{u.name}</td>
                <td>{u.role}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {isAdmin ? (
        <div className="card">
          <h2 style={{ marginTop: 0 }}>Invite someone</h2>
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              create.mutate();
            }}
          >
            <label htmlFor="inv-email" style={{ margin: 0 }}>
              Email
            </label>
            <input id="inv-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} style={{ maxWidth: 280 }} />
            <label htmlFor="inv-role" style={{ margin: 0 }}>
              Role
            </label>
            <select id="inv-role" value={role} onChange={(e) => setRole(e.target.value)} style={{ width: 'auto' }}>
              <option value="member">member (views status)</option>
              <option value="admin">admin (manages connections)</option>
            </select>
            <button type="submit" disabled={create.isPending}>
              Create invitation
            </button>
          </form>
          {create.error ? (
            <p className="error" role="alert">
              {create.error.message}
            </p>
          ) : null}
          {link ? (
            <p className="notice">
              Send this one-time link to the invitee (valid 7 days): <code data-testid="invite-link">{link}</code>
            </p>
          ) : null}
          {invites.data?.invitations.length ? (
            <table aria-label="Pending invitations">
              <thead>
                <tr>
                  <th>Email</th>
                  <th>Role</th>
                  <th>Expires</th>
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {invites.data.invitations.map((i) => (
                  <tr key={i.id}>
                    <td>{i.email}</td>
                    <td>{i.role}</td>
                    <td>{fmtTime(i.expiresAt)}</td>
                    <td>
                      <button className="secondary" onClick={() => revoke.mutate(i.id)}>
                        Revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
