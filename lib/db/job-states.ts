// The states of an export job: shared by the schema and the pages that filter by them (no imports, so
// a page can use it without bundling the database layer).
export const JOB_STATES = ['pending', 'running', 'retry', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];
