'use client';
import { useState } from 'react';

/** A policy document with copy and download buttons. */
export function PolicyBlock({ title, policy, filename }: { title: string; policy: unknown; filename: string }) {
  const text = typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2);
  const [copied, setCopied] = useState(false);
  const id = `policy-${filename.replace(/\W/g, '-')}`;
  return (
    <section className="card" aria-labelledby={id}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h3 id={id} style={{ margin: 0 }}>
          {title}
        </h3>
        <span className="row">
          <button
            type="button"
            className="secondary"
            onClick={async () => {
              try {
                await navigator.clipboard.writeText(text);
                setCopied(true);
                setTimeout(() => setCopied(false), 2000);
              } catch {
                // clipboard needs a secure context: select the text for a manual copy instead
                const range = document.createRange();
                range.selectNodeContents(document.getElementById(`${id}-text`)!);
                getSelection()?.removeAllRanges();
                getSelection()?.addRange(range);
              }
            }}
          >
            {copied ? 'Copied' : 'Copy'}
          </button>
          <a className="button secondary" href={`data:application/json;charset=utf-8,${encodeURIComponent(text)}`} download={filename}>
            Download
          </a>
        </span>
      </div>
      <pre id={`${id}-text`} data-testid={id} tabIndex={0}>
        {text}
      </pre>
    </section>
  );
}
