/**
 * A small, safe markdown renderer for workbook text items: headings, paragraphs, bullet and
 * numbered lists (with continuation lines and nested items), pipe tables, inline code, bold,
 * italics and http(s) links. Every character of the input is HTML-escaped before any markup is
 * added, so text items cannot inject HTML or script.
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

/** A bullet (`-`, `*`) or numbered (`1.`) list item, with its indent. */
const LIST_ITEM = /^(\s*)([-*]|\d+\.)\s+(.*)$/;

/** Where the list starting at `start` ends: the first blank line or unindented non-item line. */
function listEnd(lines: readonly string[], start: number): number {
  let i = start + 1;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || !(LIST_ITEM.test(line) || /^\s+\S/.test(line))) break;
    i++;
  }
  return i;
}

/**
 * A list block: items may continue on indented lines, and items indented deeper than the
 * list's first item form a nested list inside the item before them.
 */
function renderList(block: readonly string[]): string {
  const first = LIST_ITEM.exec(block[0] ?? '');
  const indent = first?.[1]?.length ?? 0;
  const ordered = /^\d/.test(first?.[2] ?? '');
  const items: { text: string[]; nested: string[] }[] = [];
  for (const line of block) {
    const m = LIST_ITEM.exec(line);
    const current = items[items.length - 1];
    if (m && (m[1]?.length ?? 0) <= indent) items.push({ text: [m[3] ?? ''], nested: [] });
    else if (current && (m || current.nested.length > 0)) current.nested.push(line);
    else current?.text.push(line.trim());
  }
  const tag = ordered ? 'ol' : 'ul';
  const li = items
    .map(
      (it) =>
        `<li>${inline(escapeHtml(it.text.join(' ')))}${it.nested.length > 0 ? renderList(it.nested) : ''}</li>`,
    )
    .join('');
  return `<${tag}>${li}</${tag}>`;
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
    } else if (LIST_ITEM.test(line)) {
      flush();
      const end = listEnd(lines, i);
      out.push(renderList(lines.slice(i, end)));
      i = end - 1;
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
