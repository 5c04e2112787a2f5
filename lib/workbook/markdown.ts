/**
 * A small, safe markdown renderer for workbook text items: headings, paragraphs, bullet lists,
 * pipe tables, inline code, bold, italics and http(s) links. Every character of the input is
 * HTML-escaped before any markup is added, so text items cannot inject HTML or script.
 * (No markdown library is installed; the workbook's text items use only this subset.)
 */

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Inline markup on one already-escaped line. Code spans are cut out first so their content stays literal. */
function inline(escaped: string): string {
  const codes: string[] = [];
  let s = escaped.replace(/`([^`]+)`/g, (_m, code: string) => {
    codes.push(`<code>${code}</code>`);
    return `\uE000${codes.length - 1}\uE000`;
  });
  s = s.replace(
    /\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g,
    '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>',
  );
  s = s.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
  s = s.replace(/(^|[\s(])_([^_]+)_(?=$|[\s.,;:)])/g, '$1<em>$2</em>');
  s = s.replace(/(^|[\s(])\*([^*\s][^*]*)\*(?=$|[\s.,;:)])/g, '$1<em>$2</em>');
  return s.replace(/\uE000(\d+)\uE000/g, (_m, i: string) => codes[Number(i)] ?? '');
}

function splitRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
}

/**
 * Renders markdown to HTML.
 * @example renderMarkdown('## Title\n- **bold** item')
 */
export function renderMarkdown(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = (): void => {
    if (paragraph.length > 0)
      out.push(`<p>${paragraph.map((l) => inline(escapeHtml(l))).join(' ')}</p>`);
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trimEnd();
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const level = heading[1]?.length ?? 1;
      out.push(`<h${level}>${inline(escapeHtml(heading[2] ?? ''))}</h${level}>`);
    } else if (/^\s*[-*]\s+/.test(line)) {
      flush();
      const itemsHtml: string[] = [];
      while (i < lines.length && /^\s*[-*]\s+/.test(lines[i] ?? '')) {
        itemsHtml.push(
          `<li>${inline(escapeHtml((lines[i] ?? '').replace(/^\s*[-*]\s+/, '')))}</li>`,
        );
        i++;
      }
      i--;
      out.push(`<ul>${itemsHtml.join('')}</ul>`);
    } else if (
      line.trim().startsWith('|') &&
      /^\s*\|?[\s:-]+\|[\s|:-]*$/.test(lines[i + 1] ?? '')
    ) {
      flush();
      const head = splitRow(line);
      i += 2;
      const body: string[][] = [];
      while (i < lines.length && (lines[i] ?? '').trim().startsWith('|')) {
        body.push(splitRow(lines[i] ?? ''));
        i++;
      }
      i--;
      const cell = (tag: string, c: string): string => `<${tag}>${inline(escapeHtml(c))}</${tag}>`;
      out.push(
        `<table class="md"><thead><tr>${head.map((c) => cell('th', c)).join('')}</tr></thead><tbody>` +
          body.map((r) => `<tr>${r.map((c) => cell('td', c)).join('')}</tr>`).join('') +
          '</tbody></table>',
      );
    } else if (line.trim() === '') {
      flush();
    } else {
      paragraph.push(line.trim());
    }
  }
  flush();
  return out.join('\n');
}
