import type { DestinationView } from './types';

export function StateBadge({ d }: { d: DestinationView }) {
  if (d.alarm || d.failedJobs > 0) return <span className="badge bad">failing</span>;
  if (!d.enabled) return <span className="badge">disabled</span>;
  return <span className="badge ok">enabled</span>;
}
