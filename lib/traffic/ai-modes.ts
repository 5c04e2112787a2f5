/**
 * The six AI request modes of cell D1 as data (surface, streaming, the flags the client sends),
 * and the prompts the requests carry.
 */
import type { BuTarget } from './plan.js';
import type { PlannedRequest } from './runner.js';

/** An AI request mode: which surface, streamed or not, and the flags the client sends. */
export interface AiMode {
  mode: number;
  surface: 'chat' | 'responses';
  stream: boolean;
  /** Chat streams: send `stream_options.include_usage = true` (mode 1) or omit it (mode 2). */
  includeUsage?: boolean;
  /** Responses: `store` sent explicitly (mode 5 sends `false`); absent = the service default (true). */
  store?: boolean;
  label: string;
}

/** The six modes of the original sample; the j-th request of a BU for a model uses mode j % 6. */
export const AI_MODES: readonly AiMode[] = Object.freeze([
  { mode: 0, surface: 'chat', stream: false, label: 'chat' },
  {
    mode: 1,
    surface: 'chat',
    stream: true,
    includeUsage: true,
    label: 'chat stream (client usage)',
  },
  {
    mode: 2,
    surface: 'chat',
    stream: true,
    includeUsage: false,
    label: 'chat stream (injected usage)',
  },
  { mode: 3, surface: 'responses', stream: false, label: 'responses (stored)' },
  { mode: 4, surface: 'responses', stream: true, label: 'responses stream' },
  { mode: 5, surface: 'responses', stream: false, store: false, label: 'responses (store: false)' },
] satisfies AiMode[]);

/** Completion budget of every AI request (`max_completion_tokens` / `max_output_tokens`). */
export const AI_MAX_OUTPUT_TOKENS = 64;

/** The prompts D1 sends, in turn. */
export const AI_PROMPTS = [
  'Summarize in one sentence why shared API gateways need cost showback.',
  'List three signals that show which team drives API traffic.',
  'Explain prompt tokens versus completion tokens to a finance analyst.',
  'Give a short tip for keeping Azure OpenAI costs predictable.',
  'What is a business unit subscription key used for in API Management?',
  'Describe streaming responses in two short sentences.',
  'Name two ways to attribute token usage to a calling application.',
];

/** One planned D1 request. */
export interface AiRequest extends PlannedRequest {
  model: string;
  mode: number;
  caller: string;
  spec: AiMode;
  target: BuTarget;
  prompt: string;
}
