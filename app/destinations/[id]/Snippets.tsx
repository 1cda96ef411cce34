'use client';
// Ready-to-paste snippets that read this connection's files with DuckDB, Athena/Glue, Snowflake and
// the AWS CLI.
import { useState } from 'react';
import { useSnippets } from './queries';

const TABS = [
  ['duckdb', 'DuckDB'],
  ['athena', 'Athena / Glue'],
  ['snowflake', 'Snowflake'],
  ['awsCli', 'AWS CLI'],
] as const;

export function Snippets({ id }: { id: string }) {
  const [opened, setOpened] = useState(false);
  const [tab, setTab] = useState<(typeof TABS)[number][0]>('duckdb');
  const snippets = useSnippets(id, opened);
  return (
    <details className="card" onToggle={(e) => setOpened((e.target as HTMLDetailsElement).open)}>
      <summary>
        <strong>Read the files</strong> <span className="muted">— DuckDB, Athena, Snowflake, AWS CLI</span>
      </summary>
      <div className="row" role="tablist" style={{ marginTop: '.75rem' }}>
        {TABS.map(([key, label]) => (
          <button key={key} role="tab" aria-selected={tab === key} className={tab === key ? '' : 'secondary'} onClick={() => setTab(key)}>
            {label}
          </button>
        ))}
      </div>
      {snippets.error ? <p className="error">{snippets.error.message}</p> : null}
      {snippets.data ? (
        <>
          <pre data-testid="snippet" tabIndex={0}>
            {snippets.data[tab]}
          </pre>
          <button className="secondary" onClick={() => navigator.clipboard?.writeText(snippets.data![tab])}>
            Copy
          </button>
          <p className="muted" style={{ fontSize: '.85rem' }}>
            A <code>*.json.gz</code> glob over the prefix also picks up the merged-ID files (<code>-orgId_…</code>): the snippets use{' '}
            <code>projectId_*.json.gz</code> for events only.
          </p>
        </>
      ) : null}
    </details>
  );
}
