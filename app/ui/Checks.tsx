'use client';
// Per-permission access check results: what is missing and the policy line that grants it.
export interface Check {
  id: string;
  label: string;
  status: 'ok' | 'failed' | 'skipped';
  detail?: string;
  fix?: string;
}

const ICON = { ok: '✓', failed: '✗', skipped: '–' } as const;

export function Checks({ checks }: { checks: Check[] }) {
  return (
    <ul className="checks" aria-label="Access checks">
      {checks.map((c) => (
        <li key={c.id} className={`check ${c.status}`} data-check={c.id} data-status={c.status}>
          <span className="icon" aria-hidden="true">
            {ICON[c.status]}
          </span>
          <div>
            <strong>{c.label}</strong>{' '}
            <span className={`badge ${c.status === 'ok' ? 'ok' : c.status === 'failed' ? 'bad' : ''}`}>
              {c.status === 'ok' ? 'allowed' : c.status === 'failed' ? 'missing' : 'not checked'}
            </span>
            {c.detail ? <div className="muted">{c.detail}</div> : null}
            {c.fix ? (
              <pre className="fix" tabIndex={0}>
                {c.fix}
              </pre>
            ) : null}
          </div>
        </li>
      ))}
    </ul>
  );
}
