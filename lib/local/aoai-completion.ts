/**
 * What the emulated model "says" and how many tokens it costs: prompt tokens counted by the
 * o200k_base tokenizer as the chat format does, a deterministic completion per prompt, and the
 * word-sized pieces a stream delivers.
 */
import { countTokens, decode, encode } from 'gpt-tokenizer';
import type { ModelDeployment } from '../target.js';
import { mulberry32 } from './seeded-random.js';

/** A prompt message, as both surfaces reduce their input to. */
export interface PromptMessage {
  role: string;
  content: unknown;
}

/**
 * A deterministic completion for a prompt, cut to `maxTokens`.
 * @example const { text, tokens, truncated } = completionFor('Hello\n', 'gpt-4o-mini', 100);
 */
export function completionFor(
  prompt: string,
  modelName: string,
  maxTokens: number | undefined,
): { text: string; tokens: number; truncated: boolean } {
  let h = 2166136261;
  for (let i = 0; i < prompt.length; i++) h = Math.imul(h ^ prompt.charCodeAt(i), 16777619);
  const next = mulberry32(h >>> 0);
  const wordCount = 8 + Math.floor(next() * 24);
  const words: string[] = [];
  for (let i = 0; i < wordCount; i++)
    words.push(WORDS[Math.floor(next() * WORDS.length)] as string);
  const full = `Emulated ${modelName} reply: ${words.join(' ')}.`;
  const ids = encode(full);
  if (maxTokens !== undefined && ids.length > maxTokens) {
    return { text: decode(ids.slice(0, maxTokens)), tokens: maxTokens, truncated: true };
  }
  return { text: full, tokens: ids.length, truncated: false };
}

/** What the model answers to a prompt, as both surfaces report it. */
export interface ModelTurn {
  promptTokens: number;
  completion: { text: string; tokens: number; truncated: boolean };
  /** The model name Azure reports in answers, e.g. `gpt-4o-mini-2024-07-18`. */
  model: string;
}

/**
 * The emulated model's turn: prompt tokens, the completion cut to `maxTokens`, the dated name.
 * @example const turn = modelTurn([{ role: 'user', content: 'hi' }], deployment, undefined);
 */
export function modelTurn(
  messages: readonly PromptMessage[],
  d: ModelDeployment,
  maxTokens: number | undefined,
): ModelTurn {
  const prompt = countMessages(messages);
  return {
    promptTokens: prompt.tokens,
    completion: completionFor(prompt.text, d.modelName, maxTokens),
    model: `${d.modelName}-${d.modelVersion}`,
  };
}

/** Splits text into word-sized deltas (each keeps its leading space). */
export function splitText(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [text];
}

// --- Internal helpers ---

/** Prompt tokens of chat messages: content and role tokens plus the chat format's 3 per message and 3 for the reply. */
function countMessages(messages: readonly PromptMessage[]): {
  tokens: number;
  text: string;
} {
  let tokens = 3;
  let text = '';
  for (const m of messages) {
    const t = contentText(m.content);
    tokens += 3 + countTokens(m.role) + countTokens(t);
    text += t + '\n';
  }
  return { tokens, text };
}

/** Text of a message content: a string, or the text of its parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p) =>
      p && typeof p === 'object' && typeof (p as Record<string, unknown>).text === 'string'
        ? ((p as Record<string, unknown>).text as string)
        : '',
    )
    .join('');
}

const WORDS = [
  'gateway',
  'tokens',
  'showback',
  'allocation',
  'business',
  'unit',
  'request',
  'latency',
  'budget',
  'model',
  'deployment',
  'usage',
  'streaming',
  'policy',
  'metric',
  'caller',
  'workbook',
  'estimate',
  'capacity',
  'trace',
];
