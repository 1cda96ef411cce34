// Shapes the pages receive (type-only: nothing server-side reaches the browser bundle).
export type { DestinationView } from '@/lib/destinations/views';
export type { MigrationView } from '@/lib/destinations/migration';
export type { BackfillProgress } from '@/lib/jobs/backfill';
export type { JobRow, JobsPage } from '@/lib/destinations/status';
export type { VerifyResult } from '@/lib/destinations/verify';
export type { Coverage, CoverageCell } from '@/lib/destinations/coverage';
export type { IntegrityReport } from '@/lib/jobs/integrity';
export type { Preview } from '@/lib/destinations/preview';
export interface Project {
  id: number;
  name: string;
  isPortfolio: boolean;
  apiKey: string | null;
  allowedOrigins: string | null;
  /** an Export API secret key exists (it is shown once, when made) */
  hasSecretKey: boolean;
}
