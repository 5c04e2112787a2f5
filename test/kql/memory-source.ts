/**
 * An in-memory `LogTableSource` for tests, with columns from `schemas/*.json`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { LogRow, LogTable, LogTableSource } from '../../lib/kql/log-tables.js';
import type { KqlColumn } from '../../lib/target.js';

const schemaDir = path.resolve(__dirname, '../../schemas');

function schemaColumns(table: string): KqlColumn[] {
  for (const f of readdirSync(schemaDir)) {
    const s = JSON.parse(readFileSync(path.join(schemaDir, f), 'utf8')) as {
      table: string;
      columns: KqlColumn[];
    };
    if (s.table === table) return s.columns.map((c) => ({ name: c.name, type: c.type }));
  }
  throw new Error(`no schema for ${table}`);
}

/** A source holding the given rows per table; `reads` counts `getTable` calls per table. */
export class MemorySource implements LogTableSource {
  readonly reads: Record<string, number> = {};
  readonly #tables = new Map<string, LogTable>();
  constructor(rows: Record<string, LogRow[]>) {
    for (const [name, r] of Object.entries(rows))
      this.#tables.set(name, { name, columns: schemaColumns(name), rows: r, version: 1 });
  }
  tableNames(): string[] {
    return [...this.#tables.keys()];
  }
  getTable(name: string): LogTable | undefined {
    this.reads[name] = (this.reads[name] ?? 0) + 1;
    return this.#tables.get(name);
  }
  /** Appends rows and bumps the table's version (as the log store does). */
  append(name: string, rows: LogRow[]): void {
    const t = this.#tables.get(name)!;
    this.#tables.set(name, { ...t, rows: [...t.rows, ...rows], version: t.version + 1 });
  }
}
