'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { api } from '../ui/api';
import { fmtHour } from '../ui/format';
import { Shell } from '../ui/Shell';
import { StateBadge } from '../ui/StateBadge';
import type { DestinationView, Project } from '../ui/types';

export default function Destinations() {
  const list = useQuery({ queryKey: ['destinations'], queryFn: () => api<{ destinations: DestinationView[] }>('/api/destinations'), refetchInterval: 10_000 });
  const projects = useQuery({ queryKey: ['projects'], queryFn: () => api<{ projects: Project[] }>('/api/projects') });
  return (
    <Shell title="Destinations">
      {(me) => (
        <>
          <p className="muted">Catalog › Destinations › Warehouse destinations</p>
          <div className="tiles">
            <div className="tile">
              <strong>Amazon S3</strong>
              <p className="muted" style={{ margin: '.25rem 0 .5rem' }}>
                Hourly gzip JSON files in your bucket.
              </p>
              {me.role === 'admin' ? (
                <Link className="button" href="/destinations/new">
                  Add Amazon S3
                </Link>
              ) : (
                <span className="muted">Ask an admin to add one.</span>
              )}
            </div>
          </div>
          <h2>Amazon S3 connections</h2>
          {list.isLoading ? (
            <p className="muted">Loading…</p>
          ) : list.error ? (
            <p className="error">{list.error.message}</p>
          ) : list.data!.destinations.length === 0 ? (
            <div className="card">
              <p>No S3 connection yet.</p>
              {me.role === 'admin' ? <Link href="/destinations/new">Connect a bucket</Link> : null}
            </div>
          ) : (
            <div className="card table-wrap">
              <table aria-label="S3 connections">
                <thead>
                  <tr>
                    <th>Project</th>
                    <th>Bucket</th>
                    <th>Data</th>
                    <th>State</th>
                    <th>Last successful hour</th>
                    <th>
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.data!.destinations.map((d) => (
                    <tr key={d.id}>
                      <td>
                        {d.projectName} <span className="muted">({d.projectId})</span>
                      </td>
                      <td>
                        <code>
                          s3://{d.bucket}/{d.prefix}
                        </code>
                        {d.kmsKeyArn ? (
                          <span className="badge" title={d.kmsKeyArn}>
                            {' '}
                            KMS
                          </span>
                        ) : null}
                      </td>
                      <td>{[d.exportEvents && 'events', d.exportMerged && 'merged IDs'].filter(Boolean).join(' + ')}</td>
                      <td>
                        <StateBadge d={d} />
                      </td>
                      <td>{fmtHour(d.lastSuccessHour)}</td>
                      <td>
                        <Link href={`/destinations/${d.id}`}>Status</Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {projects.data?.projects.some((p) => p.isPortfolio) ? (
            <p className="muted">Portfolio projects receive no events of their own and cannot be exported.</p>
          ) : null}
        </>
      )}
    </Shell>
  );
}
