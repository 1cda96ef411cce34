// Entry of the edge bundle: the engine, as an edge function would import it.
import { tick } from '../../lib/jobs/tick';
import { verifyAccess } from '../../lib/destinations/verify';

(globalThis as unknown as { spillwayEngine: unknown }).spillwayEngine = { tick, verifyAccess };
