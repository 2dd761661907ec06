import "server-only";
import type { TablePage } from "@/lib/kube-table/read-table-page";
import { bytesToBase64, bytesToBase64Url, keyToDisplay } from "@/lib/keys";
import type { TableDto } from "./dto";

// Reshapes a table page (lib/kube-table) into the wire type of GET /api/table.

export function presentTable(page: TablePage): TableDto {
  const { table } = page;
  const shared = {
    revision: page.revision,
    clock: page.clock,
    nextCursor: page.nextCursor ? bytesToBase64Url(page.nextCursor) : null,
    ...(page.indexing ? { indexing: page.indexing } : {}),
  };
  if (!table.resource) return { ...shared, resource: null, found: table.found, columns: [], rows: [] };
  return {
    ...shared,
    resource: table.resource,
    columns: table.columns,
    rows: table.rows.map((row) => ({ key: keyToDisplay(row.key), keyBase64: bytesToBase64(row.key), name: row.name, cells: row.cells })),
  };
}
