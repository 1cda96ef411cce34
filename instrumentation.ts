// Runs once when `next start` boots: applies migrations, creates the first admin from env when asked,
// and starts the in-process export scheduler so a self-hosted app exports hourly with no outside cron.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { boot } = await import('./lib/server/boot');
  await boot();
}
