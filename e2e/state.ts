import { readFileSync } from 'node:fs';

export const STATE_FILE = 'test-results/e2e-state.json';

export interface E2EState {
  url: string;
  dbUrl: string;
  password: string;
  admin: string;
  member: string;
  otherAdmin: string;
  orgId: number;
  projectId: number;
  apiKey: string;
}

export const state = (): E2EState => JSON.parse(readFileSync(STATE_FILE, 'utf8'));
