import { join } from "node:path";
import type * as aq from "arquero";
import { writeFileAtomic } from "../io/atomic.js";
import { TABLE_CATALOGUE, type TableName } from "./table-catalogue.js";

/** Writes catalogued arquero tables as <name>.csv and <name>.md into `dir`; returns the paths written. */
export function saveTables(dir: string, tables: Partial<Record<TableName, aq.ColumnTable>>): string[] {
  const written: string[] = [];
  for (const [name, table] of Object.entries(tables) as [TableName, aq.ColumnTable][]) {
    if (!(name in TABLE_CATALOGUE)) throw new Error(`table "${name}" is not in src/viz/table-catalogue.ts; add it there with a caption`);
    const csv = join(dir, `${name}.csv`);
    const markdown = join(dir, `${name}.md`);
    writeFileAtomic(csv, table.toCSV());
    writeFileAtomic(markdown, `${TABLE_CATALOGUE[name].caption}\n\n${table.toMarkdown()}`);
    written.push(csv, markdown);
  }
  return written;
}

/** Tables of one notebook, by file stem. */
export function tablesOf(notebook: string): TableName[] {
  return (Object.keys(TABLE_CATALOGUE) as TableName[]).filter((name) => TABLE_CATALOGUE[name].notebook === notebook);
}
