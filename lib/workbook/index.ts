/**
 * The workbook module: load and fill `workbook.json`, list its queries with parameters
 * resolved, validate and run them, and render the local HTML preview.
 */
export {
  loadWorkbook,
  fillPlaceholders,
  findPlaceholders,
  buildWorkbookData,
} from './workbook-json.js';
export type { WorkbookDocument, WorkbookItem, WorkbookParameter } from './workbook-json.js';
export { collectParameters, substituteParameters } from './parameters.js';
export type { ResolvedParameter, SubstitutionContext } from './parameters.js';
export { listWorkbookQueries, listWorkbookTabs } from './list-queries.js';
export type { WorkbookQuery, WorkbookTab, ListWorkbookQueriesOptions } from './list-queries.js';
export { validateWorkbookQueries, formatWorkbookDiagnostics } from './validate-queries.js';
export type { WorkbookQueryDiagnostics } from './validate-queries.js';
export { runWorkbookQueries } from './run-queries.js';
export type { QueryRunner, WorkbookQueryOutcome } from './run-queries.js';
export { renderWorkbookPreview, renderWorkbookHtml, defaultPreviewPath } from './render-preview.js';
export type {
  WorkbookPreview,
  RenderWorkbookPreviewOptions,
  PreviewResult,
} from './render-preview.js';
export { renderMarkdown } from './markdown.js';
