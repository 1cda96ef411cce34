'use client';
// Which event types a connection exports, in the setup wizard and Manage Export Settings: all, only
// those listed, or all but those listed (lib/export/files/event-filter.ts; the server checks the list
// and answers a bad one with the reason, shown under the field).
import { useState } from 'react';
import type { EventFilter } from '@/lib/export/files/event-filter';

const typesOf = (text: string) =>
  text
    .split('\n')
    .map((t) => t.trim())
    .filter(Boolean);

export function EventFilterField(props: { value: EventFilter | null; onChange: (v: EventFilter | null) => void; error: string | null }) {
  const [text, setText] = useState((props.value?.types ?? []).join('\n'));
  const mode = props.value?.mode ?? 'all';
  const choose = (m: 'all' | EventFilter['mode']) => props.onChange(m === 'all' ? null : { mode: m, types: typesOf(text) });
  return (
    <fieldset>
      <legend>Event types</legend>
      {(
        [
          ['all', 'All events'],
          ['include', 'Only these event types'],
          ['exclude', 'All but these event types'],
        ] as const
      ).map(([m, label]) => (
        <label key={m} style={{ fontWeight: 400, display: 'flex', gap: '.5rem', alignItems: 'baseline' }}>
          <input type="radio" name="event-filter" checked={mode === m} onChange={() => choose(m)} />
          <span>{label}</span>
        </label>
      ))}
      {props.value ? (
        <div>
          <label htmlFor="eventFilter">
            Event types <span className="hint">(one per line; end with * for every type that starts so, e.g. checkout*)</span>
          </label>
          <textarea
            id="eventFilter"
            rows={4}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              props.onChange({ mode: props.value!.mode, types: typesOf(e.target.value) });
            }}
            aria-invalid={props.error ? true : undefined}
            aria-describedby={props.error ? 'eventFilter-error' : undefined}
          />
          {props.error ? (
            <div className="field-error" id="eventFilter-error" role="alert">
              {props.error}
            </div>
          ) : null}
        </div>
      ) : null}
      <p className="hint" style={{ marginTop: 0 }}>
        Applies when an hour is exported: the hour&apos;s files hold only the events that pass, and its manifest records the filter. Merged IDs are not
        filtered.
      </p>
    </fieldset>
  );
}
