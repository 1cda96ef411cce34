// The destination page's data: every react-query query and mutation it uses, in one place, with the
// shapes the API answers (types from lib/, so the page and the server cannot drift).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../ui/api';
import type { BackfillProgress, Coverage, DestinationView, IntegrityReport, JobsPage, Preview } from '../../ui/types';

export interface Detail {
  destination: DestinationView;
  backfills: BackfillProgress[];
  migrations: { id: number; state: string; oldDestinationId: number | null; newDestinationId: number | null }[];
}

export type Gap = { from: number; to: number };

export function useDestination(id: string) {
  return useQuery({
    queryKey: ['destination', id],
    queryFn: () => api<Detail>(`/api/destinations/${id}`),
    // live while anything is moving
    refetchInterval: (q) =>
      q.state.data && (q.state.data.destination.openJobs > 0 || q.state.data.backfills.some((b) => b.state === 'running')) ? 2_000 : 15_000,
  });
}

/** Refreshes the destination and its jobs table after a change. */
export function useRefresh(id: string) {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: ['destination', id] }).then(() => qc.invalidateQueries({ queryKey: ['jobs', id] }));
}

export function useChart(id: string) {
  return useQuery({
    queryKey: ['chart', id],
    queryFn: () => api<{ points: { hour: number; events: number }[] }>(`/api/destinations/${id}/chart?hours=48`),
    refetchInterval: 15_000,
  });
}

export interface JobFilter {
  state: string;
  kind: string;
  page: number;
  hideEmpty: boolean;
  /** one hour only (picked in the coverage view) */
  hour: number | null;
}

export function useJobs(id: string, filter: JobFilter, live: boolean) {
  const { state, kind, page, hideEmpty, hour } = filter;
  const qs = new URLSearchParams({
    page: String(page),
    pageSize: '24',
    ...(state ? { state } : {}),
    ...(kind ? { kind } : {}),
    ...(hideEmpty && hour === null ? { hideEmpty: 'true' } : {}),
    ...(hour !== null ? { from: new Date(hour).toISOString(), to: new Date(hour + 3_600_000).toISOString() } : {}),
  });
  return useQuery({
    queryKey: ['jobs', id, state, kind, page, hideEmpty, hour],
    queryFn: () => api<JobsPage>(`/api/destinations/${id}/jobs?${qs}`),
    refetchInterval: live ? 2_000 : 15_000,
  });
}

export const useRetryFailed = (id: string, onDone: () => void) =>
  useMutation({ mutationFn: () => api(`/api/destinations/${id}/retry`, { body: {} }), onSuccess: onDone });

export const useStartMigration = (id: string, onStarted: (migrationId: number) => void) =>
  useMutation({ mutationFn: () => api<{ id: number }>(`/api/destinations/${id}/migration`, { body: {} }), onSuccess: (r) => onStarted(r.id) });

/** Starts a manual export of UTC days (or ISO times) `from`..`to`. */
export const useStartBackfill = (id: string, onStarted: (backfillId: number) => void) =>
  useMutation({
    mutationFn: (range: { from: string; to: string }) => api<{ backfill: { id: number } }>(`/api/destinations/${id}/backfills`, { body: range }),
    onSuccess: (r) => onStarted(r.backfill.id),
  });

/** Cancels a running manual export (from the table and from the Export Data modal). */
export const useCancelBackfill = (id: string, onDone: () => void) =>
  useMutation({ mutationFn: (bid: number) => api(`/api/destinations/${id}/backfills/${bid}`, { method: 'DELETE' }), onSuccess: onDone });

/** Manage Export Settings: the toggle, prefix and data choice; answers the gap to backfill, if any. */
export const useUpdateSettings = (id: number, onSaved: (gap: Gap | null) => void, onRefused: () => void) =>
  useMutation({
    mutationFn: (body: Record<string, unknown>) => api<{ gap: Gap | null }>(`/api/destinations/${id}`, { method: 'PATCH', body }),
    onSuccess: (r) => onSaved(r.gap),
    onError: onRefused,
  });

export const useDeleteDestination = (id: number, onDeleted: () => void) =>
  useMutation({ mutationFn: () => api(`/api/destinations/${id}`, { method: 'DELETE' }), onSuccess: onDeleted });

export function useCoverage(id: string, live: boolean) {
  return useQuery({
    queryKey: ['coverage', id],
    queryFn: () => api<Coverage>(`/api/destinations/${id}/coverage?days=7`),
    // live while an hour of it is waiting (a repair queued from here, an export running)
    refetchInterval: (q) => (live || q.state.data?.days.some((d) => d.cells.some((c) => c.state === 'pending' && c.jobIds.length > 0)) ? 3_000 : 30_000),
  });
}

/** "Check the bucket now": the integrity check, at once. */
export const useCheckIntegrity = (id: string, onDone: () => void) =>
  useMutation({ mutationFn: () => api<IntegrityReport>(`/api/destinations/${id}/integrity`, { body: {} }), onSuccess: onDone });

export interface HourFile {
  kind: 'events' | 'merged';
  part: number;
  key: string;
  bytes: number;
  lines: number;
  sha256: string | null;
}

export const useHourFiles = (id: string, hour: number) =>
  useQuery({ queryKey: ['files', id, hour], queryFn: () => api<{ files: HourFile[] }>(`/api/destinations/${id}/files?hour=${hour}`) });

export const usePreview = (id: string, key: string | null) =>
  useQuery({
    queryKey: ['preview', id, key],
    queryFn: () => api<Preview>(`/api/destinations/${id}/preview?key=${encodeURIComponent(key!)}`),
    enabled: key !== null,
    retry: false,
  });

export const useSnippets = (id: string, enabled: boolean) =>
  useQuery({
    queryKey: ['snippets', id],
    queryFn: () => api<Record<'duckdb' | 'athena' | 'snowflake' | 'awsCli', string>>(`/api/destinations/${id}/snippets`),
    enabled,
  });
