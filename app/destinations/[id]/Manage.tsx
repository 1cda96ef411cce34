'use client';
// The Manage Export Settings modal: the on/off toggle (saved at once), prefix and data choice, the
// gap to backfill after a long pause, and deleting the connection.
import { useState } from 'react';
import { fmtHour } from '../../ui/format';
import type { DestinationView } from '../../ui/types';
import { useDeleteDestination, useStartBackfill, useUpdateSettings } from './queries';
import { KeyLayout } from '../KeyLayout';
import { ApiError } from '../../ui/api';
import { EventFilterField } from '../EventFilterField';
import { FileFormatField } from '../FileFormatField';

export function Manage({ d, onChange, onDeleted }: { d: DestinationView; onChange: () => void; onDeleted: () => void }) {
  const [prefix, setPrefix] = useState(d.prefix);
  const [events, setEvents] = useState(d.exportEvents);
  const [merged, setMerged] = useState(d.exportMerged);
  const [manifest, setManifest] = useState(d.writeManifest);
  const [lineFormat, setLineFormat] = useState(d.lineFormat);
  const [keyFolders, setKeyFolders] = useState(d.keyFolders);
  const [eventFilter, setEventFilter] = useState(d.eventFilter);
  const [fileFormat, setFileFormat] = useState(d.fileFormat);
  const [confirming, setConfirming] = useState(false);
  // shown at once; put back if the server refuses
  const [enabled, setEnabledShown] = useState(d.enabled);
  const [gap, setGap] = useState<{ from: number; to: number } | null>(null);
  const patch = useUpdateSettings(
    d.id,
    (g) => {
      setGap(g);
      onChange();
    },
    () => setEnabledShown(d.enabled),
  );
  const backfillGap = useStartBackfill(String(d.id), () => {
    setGap(null);
    onChange();
  });
  const del = useDeleteDestination(d.id, onDeleted);
  // a bad template is shown under its field, not again below the form
  const fieldError = (field: string) => (patch.error instanceof ApiError && patch.error.body.field === field ? patch.error.message : null);
  const folderError = fieldError('keyFolders');
  const filterError = fieldError('eventFilter');
  return (
    <>
      <div className="switch">
        <input
          id="enabled"
          type="checkbox"
          role="switch"
          checked={enabled}
          aria-checked={enabled}
          onChange={(e) => {
            setEnabledShown(e.target.checked);
            patch.mutate({ enabled: e.target.checked });
          }}
          disabled={patch.isPending}
        />
        <label htmlFor="enabled" style={{ margin: 0 }}>
          Automatic hourly exports {enabled ? 'on' : 'off'}
        </label>
        <span className="hint" aria-live="polite">
          {patch.isPending ? 'saving…' : 'saved as soon as you switch it'}
        </span>
      </div>
      <p className="muted">
        Turned off, no new hour is planned (hours already queued still finish). Turned back on within 24 hours, every missed hour is exported; after longer, you
        are offered a manual export of the gap.
      </p>
      {gap ? (
        <div className="warn" role="alert">
          Exports were off for more than 24 hours: {fmtHour(gap.from)} → {fmtHour(gap.to)} was not exported.
          <button
            onClick={() => backfillGap.mutate({ from: new Date(gap!.from).toISOString(), to: new Date(gap!.to).toISOString() })}
            disabled={backfillGap.isPending}
          >
            Export that gap now
          </button>
        </div>
      ) : null}
      <h3>Files</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          patch.mutate({
            prefix,
            keyFolders: keyFolders ?? '',
            eventFilter,
            fileFormat,
            exportEvents: events,
            exportMerged: merged,
            writeManifest: manifest,
            lineFormat,
          });
        }}
      >
        <label htmlFor="m-prefix">
          Prefix <span className="hint">(applies to the next files written)</span>
        </label>
        <input id="m-prefix" type="text" value={prefix} onChange={(e) => setPrefix(e.target.value)} />
        <KeyLayout value={keyFolders} onChange={setKeyFolders} prefix={prefix} projectId={d.projectId} fileFormat={fileFormat} error={folderError} />
        {keyFolders !== d.keyFolders ? (
          <p className="notice" style={{ marginTop: 0 }}>
            Files already exported stay where they are. The hours exported from now on go to the new layout; export a range again (Export data) to write its
            hours in the new layout too. Within one layout an hour is never written twice.
          </p>
        ) : null}
        <label className="row" style={{ fontWeight: 400 }}>
          <input type="checkbox" checked={events} onChange={(e) => setEvents(e.target.checked)} /> Export events
        </label>
        <label className="row" style={{ fontWeight: 400 }}>
          <input type="checkbox" checked={merged} onChange={(e) => setMerged(e.target.checked)} /> Export merged Amplitude IDs
        </label>
        {events ? <EventFilterField value={eventFilter} onChange={setEventFilter} error={filterError} /> : null}
        {events ? <FileFormatField value={fileFormat} onChange={setFileFormat} /> : null}
        <label className="row" style={{ fontWeight: 400 }}>
          <input type="checkbox" checked={manifest} onChange={(e) => setManifest(e.target.checked)} /> Write a manifest for each hour
        </label>
        <p className="hint" style={{ marginTop: 0 }}>
          <code>{d.prefix}_spillway/manifests/…json</code>, written after the hour&apos;s last file: its presence means the hour is complete. It lists each file
          with its size, line count and SHA-256. The folder starts with <code>_</code>, so Athena, Glue and Spark skip it.
        </p>
        <fieldset>
          <legend>Amplitude line format</legend>
          <label style={{ fontWeight: 400, display: 'flex', gap: '.5rem', alignItems: 'baseline' }}>
            <input type="radio" name="line-format" checked={lineFormat === 'current'} onChange={() => setLineFormat('current')} />
            <span>
              Current: as Amplitude writes lines today (55 keys in alphabetical order, <code>$schema</code> null, groups as lists)
            </span>
          </label>
          <label style={{ fontWeight: 400, display: 'flex', gap: '.5rem', alignItems: 'baseline' }}>
            <input type="radio" name="line-format" checked={lineFormat === 'documented'} onChange={() => setLineFormat('documented')} />
            <span>
              2020 documented: the 49 keys of Amplitude&apos;s documented schema in its order, <code>$schema</code> 12
            </span>
          </label>
          <p className="hint" style={{ marginTop: 0 }}>
            Applies to the hours exported from now on (an hour exported again is rewritten in the new format); each hour&apos;s manifest records its format.
          </p>
        </fieldset>
        {patch.error && !folderError && !filterError ? (
          <p className="error" role="alert">
            {patch.error.message}
          </p>
        ) : patch.isSuccess ? (
          <p className="notice">Saved.</p>
        ) : null}
        <p>
          <button type="submit" disabled={patch.isPending}>
            Save settings
          </button>
        </p>
      </form>
      <hr />
      <h3>Delete this connection</h3>
      <p className="muted">Files already in the bucket stay. The job history of this connection is deleted.</p>
      {confirming ? (
        <p className="row">
          <button className="danger" onClick={() => del.mutate()} disabled={del.isPending}>
            Yes, delete the connection
          </button>
          <button className="secondary" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </p>
      ) : (
        <button className="danger" onClick={() => setConfirming(true)}>
          Delete connection…
        </button>
      )}
      {del.error ? <p className="error">{del.error.message}</p> : null}
    </>
  );
}
