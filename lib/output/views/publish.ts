/**
 * Cell F's output: where the workbook is, and the deployment's portal links (azure).
 */
import type { PublishedWorkbook } from '../../target.js';
import { showMarkdown } from '../mime.js';

/** Shows where the workbook is. @example showPublishedWorkbook(await publishWorkbook(target)); */
export function showPublishedWorkbook(published: PublishedWorkbook): void {
  const lines = [`**Workbook:** [${published.url}](${published.url})`];
  if (published.url.startsWith('file:')) {
    lines.push(
      `Local preview written to \`${published.id}\`: open it in a browser (it works offline).`,
    );
  }
  for (const link of published.links) lines.push(`- [${link.label}](${link.url})`);
  showMarkdown(lines.join('\n'));
}
