// A row of a table whose rows belong to an organisation, looked up by id within that organisation only:
// another organisation's id finds nothing, exactly as an id that does not exist.
import { and, eq } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTableWithColumns } from 'drizzle-orm/sqlite-core';
import type { DbOrTx } from './types';

// any table with these two columns
type OrgTable = SQLiteTableWithColumns<any> & { id: SQLiteColumn; orgId: SQLiteColumn };

export async function orgRow<T extends OrgTable>(db: DbOrTx, table: T, orgId: number, id: number): Promise<T['$inferSelect'] | undefined> {
  const [row] = await db
    .select()
    .from(table)
    .where(and(eq(table.id, id), eq(table.orgId, orgId)));
  return row as T['$inferSelect'] | undefined;
}
