/**
 * Reads one export run as the allocation needs it: the manifest checked against the export the
 * kit made (name, resource id, FOCUS dataset, complete blob list), then every data file parsed
 * with `csv-parse` into cost lines. Any bad file stops the read with its name and line.
 */
import { parse } from 'csv-parse/sync';
import type { ExportManifest } from '../common/export-manifest.js';
import { FOCUS_REQUIRED_COLUMNS } from '../common/focus.js';
import { CostExportFileError } from '../errors.js';
import type { CostExportRead, CostExportRunFiles } from '../target.js';

/** One cost row of the export, the fields the allocation uses. */
export interface CostLine {
  file: string;
  line: number;
  resourceId: string;
  resourceName: string;
  resourceGroup: string;
  serviceName: string;
  meter: string;
  /** `YYYY-MM-DD` of ChargePeriodStart. */
  day: string;
  quantity: number;
  unit: string;
  billedUsd: number;
  listUsd: number;
  currency: string;
}

/** A parsed run: its manifest and cost lines. */
export interface ParsedExport {
  manifest: ExportManifest;
  manifestPath: string;
  lines: CostLine[];
}

/** Checks the manifest and parses every listed file. */
export function parseExportRun(read: CostExportRead, run: CostExportRunFiles): ParsedExport {
  const manifest = checkManifest(read, run);
  const lines: CostLine[] = [];
  for (const blob of run.blobs) {
    const listed = manifest.blobs.find((b) => b.blobName === blob.name);
    lines.push(...parseFile(blob.name, blob.text, listed?.dataRowCount));
  }
  return { manifest, manifestPath: run.manifestPath, lines };
}

function checkManifest(read: CostExportRead, run: CostExportRunFiles): ExportManifest {
  const m = run.manifest as Partial<ExportManifest> | null;
  const bad = (why: string): never => {
    throw new CostExportFileError(run.manifestPath, undefined, why);
  };
  if (
    m === null ||
    typeof m !== 'object' ||
    !m.exportConfig ||
    !m.runInfo ||
    !Array.isArray(m.blobs)
  )
    bad(
      'the manifest is not a Cost Management export manifest (no exportConfig, runInfo or blobs).',
    );
  const cfg = m!.exportConfig!;
  if (
    cfg.exportName !== read.exportName ||
    (cfg.resourceId ?? '').toLowerCase() !== read.exportId.toLowerCase()
  )
    bad(
      `the run belongs to export '${cfg.exportName}' (${cfg.resourceId}), not to this kit's '${read.exportName}' (${read.exportId}): a file from another export or scope. Point the export of cell B2 at its own folder or remove the other export's files.`,
    );
  if (cfg.type !== 'FocusCost')
    bad(
      `the export's dataset is '${cfg.type}', not FocusCost: run cell B2 again to recreate it with the FOCUS dataset.`,
    );
  if (!m!.blobs!.every((b) => run.blobs.some((r) => r.name === b.blobName)))
    bad(
      'the manifest lists data files that are not in the container (a run cut short): run cell B3 again.',
    );
  return m as ExportManifest;
}

function parseFile(name: string, text: string, expectedRows: number | undefined): CostLine[] {
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      relax_column_count: false,
      skip_empty_lines: true,
    }) as string[][];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new CostExportFileError(
      name,
      line,
      `the CSV is malformed (${(error as Error).message.split('\n')[0]}).`,
    );
  }
  const header = records[0];
  if (header === undefined)
    throw new CostExportFileError(name, 1, 'the file is empty (no header row).');
  const missing = FOCUS_REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0)
    throw new CostExportFileError(
      name,
      1,
      `the header lacks the FOCUS columns ${missing.join(', ')}: not a FocusCost export.`,
    );
  const at = (c: string) => header.indexOf(c);
  const rows = records.slice(1);
  if (expectedRows !== undefined && rows.length !== expectedRows)
    throw new CostExportFileError(
      name,
      rows.length + 1,
      `the manifest says ${expectedRows} rows but the file has ${rows.length}: the file is truncated. Run cell B3 again.`,
    );
  return rows.map((r, i) => {
    const line = i + 2;
    const num = (c: string): number => {
      const v = Number(r[at(c)]);
      if (!Number.isFinite(v))
        throw new CostExportFileError(name, line, `${c} is '${r[at(c)]}', not a number.`);
      return v;
    };
    const start = r[at('ChargePeriodStart')] ?? '';
    if (Number.isNaN(Date.parse(start)))
      throw new CostExportFileError(name, line, `ChargePeriodStart is '${start}', not a date.`);
    return {
      file: name,
      line,
      resourceId: r[at('ResourceId')] ?? '',
      resourceName: r[at('ResourceName')] ?? '',
      resourceGroup: r[at('x_ResourceGroupName')] ?? '',
      serviceName: r[at('ServiceName')] ?? '',
      meter: r[at('x_SkuMeterName')] ?? '',
      day: new Date(Date.parse(start)).toISOString().slice(0, 10),
      quantity: num('ConsumedQuantity'),
      unit: at('ConsumedUnit') >= 0 ? (r[at('ConsumedUnit')] ?? '') : '',
      billedUsd: num('BilledCost'),
      listUsd: num('ListCost'),
      currency: r[at('BillingCurrency')] ?? '',
    };
  });
}
