/** The node flags server.mjs starts with (see server-flags.mjs). */
export function serverFlags(env?: Record<string, string | undefined>, cores?: number, memory?: number): string[];
