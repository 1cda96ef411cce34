// A tick in its own process (for crash and multi-process tests): DATABASE_URL and ENGINE_CONFIG (JSON) from env.
import { openDatabase } from '../../lib/db/client';
import { tick } from '../../lib/jobs/tick';

const database = await openDatabase({ url: process.env.DATABASE_URL! });
const config = JSON.parse(process.env.ENGINE_CONFIG ?? '{}');
const nowShift = Number(process.env.NOW_SHIFT_MS ?? '0');
const sum = await tick(database.db, config, { budgetMs: Number(process.env.BUDGET_MS ?? '120000'), now: () => Date.now() + nowShift });
process.stdout.write(`${JSON.stringify(sum)}\n`);
database.close();
