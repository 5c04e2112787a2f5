/**
 * Server-sent events, both ways: framing for the Azure OpenAI emulator and an incremental
 * parser the gateway feeds with response bytes as they pass through (chunks may split lines,
 * `\r\n` pairs and multi-byte characters anywhere).
 */

/** One SSE message. */
export interface SseMessage {
  /** The `event:` field, if any. */
  event: string | undefined;
  /** The `data:` lines joined with `\n`. */
  data: string;
}

/** Frames one SSE message (`event:` only when given). */
export function formatSse(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}

/**
 * Incremental SSE parser: push byte chunks, get complete messages back.
 * @example const p = new SseParser(); for (const m of p.push(chunk)) console.log(m.data);
 */
export class SseParser {
  readonly #decoder = new TextDecoder('utf-8');
  #buffer = '';
  #event: string | undefined;
  #data: string[] = [];
  /** Stops buffering past this many characters without a line break (garbage protection). */
  readonly #maxLine: number;

  constructor(maxLine = 4 * 1024 * 1024) {
    this.#maxLine = maxLine;
  }

  /** Feeds bytes; returns the messages completed by them. */
  push(chunk: Uint8Array): SseMessage[] {
    this.#buffer += this.#decoder.decode(chunk, { stream: true });
    const out: SseMessage[] = [];
    let start = 0;
    for (;;) {
      const nl = this.#buffer.indexOf('\n', start);
      if (nl < 0) break;
      let line = this.#buffer.slice(start, nl);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      start = nl + 1;
      this.#line(line, out);
    }
    this.#buffer = this.#buffer.slice(start);
    if (this.#buffer.length > this.#maxLine) this.#buffer = '';
    return out;
  }

  #line(line: string, out: SseMessage[]): void {
    if (line === '') {
      if (this.#data.length > 0) out.push({ event: this.#event, data: this.#data.join('\n') });
      this.#event = undefined;
      this.#data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
  }
}
