// Comparing a presented secret with the expected one in time that does not depend on how much of it
// matches: both are hashed to equal-length digests first.
export async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([given, expected].map(async (v) => new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(v)))));
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Whether an Authorization header carries `Bearer <secret>`. */
export const bearerMatches = (authorization: string | null, secret: string) => sameSecret(authorization ?? '', `Bearer ${secret}`);
