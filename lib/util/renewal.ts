// Leases are renewed while their holder works; a holder that finds its lease taken over stops with
// LeaseLost. One loop for every lease (export jobs, seals), whatever table holds it.

/** Thrown when another worker took the work over (our lease expired). */
export class LeaseLost extends Error {}

/**
 * Renews a lease every third of its length while its holder works (a long part built or uploaded):
 * `renew` extends it and says whether it is still ours. The one loop for jobs and seals.
 */
export function keepRenewing(leaseMs: number, renew: () => Promise<boolean>) {
  let lost = false;
  const timer = setInterval(
    () => {
      renew()
        .then((ours) => {
          if (!ours) lost = true;
        })
        .catch(() => {});
    },
    Math.max(1_000, Math.floor(leaseMs / 3)),
  );
  return {
    /** whether another worker holds it now */
    lost: () => lost,
    stop: () => clearInterval(timer),
  };
}
