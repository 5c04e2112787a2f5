/**
 * Cells B2-B4's output: one line per action, done or skipped with what it would have done.
 */
import type { ActionOutcome } from '../../target.js';
import { showMarkdown } from '../mime.js';

/** One line for an Azure-only action: done, or skipped with what it would have done. */
export function outcomeLine(title: string, outcome: ActionOutcome): string {
  if (outcome.status === 'done') return `**${title}:** ${outcome.summary}`;
  return `**${title}:** skipped: ${outcome.reason} Would have: ${outcome.wouldHaveDone}`;
}

/** Shows an action's outcome in one line (B2-B4). */
export function showOutcome(title: string, outcome: ActionOutcome): void {
  showMarkdown(outcomeLine(title, outcome));
}
