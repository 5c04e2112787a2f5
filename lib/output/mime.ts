/**
 * Output for notebook cells. Inside the tslab kernel, displays go out as rich MIME outputs;
 * anywhere else (a terminal, a script) the plain-text fallback is printed.
 */
import { createRequire } from 'node:module';
import type { ProgressEvent } from '../target.js';

type DisplayFn = (data: string) => void;
interface TslabDisplay {
  html: DisplayFn;
  markdown: DisplayFn;
  text: DisplayFn;
  raw: (contentType: string, data: string) => void;
}
interface TslabModule {
  display: TslabDisplay;
  newDisplay: () => TslabDisplay;
}

let tslabModule: TslabModule | null | undefined;

function tslab(): TslabModule | null {
  if (tslabModule === undefined) {
    try {
      tslabModule = createRequire(__filename)('tslab') as TslabModule;
    } catch {
      tslabModule = null;
    }
  }
  return tslabModule;
}

/** Tries a rich display; falls back to printing `text` when no kernel is listening. */
function emit(
  target: TslabDisplay | undefined,
  send: (d: TslabDisplay) => void,
  text: string,
): void {
  const d = target ?? tslab()?.display;
  if (d) {
    try {
      send(d);
      return;
    } catch {
      // "Not ready": no kernel sink, e.g. a plain Node script.
    }
  }
  console.log(text);
}

/** Shows markdown (text fallback: the markdown source). */
export function showMarkdown(markdown: string): void {
  emit(undefined, (d) => d.markdown(markdown), markdown);
}

/** Shows HTML with a plain-text fallback for terminals. */
export function showHtml(html: string, textFallback: string): void {
  emit(undefined, (d) => d.html(html), textFallback);
}

/** Shows one MIME bundle entry (e.g. the Plotly MIME type) with a text fallback. */
export function showMime(mimeType: string, data: string, textFallback: string): void {
  emit(undefined, (d) => d.raw(mimeType, data), textFallback);
}

/** A display that replaces its own output on each call: progress lines in a notebook. */
export interface LiveLine {
  update(text: string): void;
}

/** Creates an in-place updating line (notebook) or a line printer (terminal, only on change). */
export function createLiveLine(): LiveLine {
  let d: TslabDisplay | undefined;
  try {
    d = tslab()?.newDisplay();
  } catch {
    d = undefined;
  }
  let last = '';
  return {
    update(text: string) {
      if (text === last) return;
      last = text;
      if (d) {
        try {
          d.text(text);
          return;
        } catch {
          d = undefined;
        }
      }
      if (process.stdout.isTTY) process.stdout.write(`\r${text}`);
      else console.log(text);
    },
  };
}

/**
 * An `onProgress` callback that shows each event on one in-place line.
 * @example await deploy(target, { onProgress: progressLine() });
 */
export function progressLine(): (event: ProgressEvent) => void {
  const line = createLiveLine();
  return (e) => {
    const count = e.total !== undefined && e.done !== undefined ? `${e.done}/${e.total}` : '';
    // Messages that already say how far they are (traffic progress) are shown as they are.
    line.update(count !== '' && !e.message.includes(count) ? `${e.message} (${count})` : e.message);
  };
}
