/**
 * Kusto's string predicates (`has`, `contains`, `startswith`...), following the documented
 * rules: `has` matches whole terms (runs of ASCII letters and digits), the plain forms are
 * case-insensitive, and the `_cs` forms are case-sensitive.
 */

function isTermChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** `has`: the needle occurs in the haystack starting and ending at term boundaries. */
export function hasTerm(hay: string, needle: string, caseSensitive: boolean): boolean {
  if (needle === '') return true;
  const h = caseSensitive ? hay : hay.toLowerCase();
  const n = caseSensitive ? needle : needle.toLowerCase();
  const startsWithTerm = isTermChar(n.charCodeAt(0));
  const endsWithTerm = isTermChar(n.charCodeAt(n.length - 1));
  let from = 0;
  for (;;) {
    const at = h.indexOf(n, from);
    if (at < 0) return false;
    const before = at === 0 || !startsWithTerm || !isTermChar(h.charCodeAt(at - 1));
    const end = at + n.length;
    const after = end >= h.length || !endsWithTerm || !isTermChar(h.charCodeAt(end));
    if (before && after) return true;
    from = at + 1;
  }
}

/** Whether some occurrence of the needle in the haystack passes `at` (its start and end index). */
function someOccurrence(
  hay: string,
  needle: string,
  caseSensitive: boolean,
  test: (h: string, start: number, end: number) => boolean,
): boolean {
  const h = caseSensitive ? hay : hay.toLowerCase();
  const n = caseSensitive ? needle : needle.toLowerCase();
  for (let from = 0; ;) {
    const at = h.indexOf(n, from);
    if (at < 0) return false;
    if (test(h, at, at + n.length)) return true;
    from = at + 1;
  }
}

/** `hasprefix`: some term of the haystack starts with the needle. */
export function hasPrefix(hay: string, needle: string, caseSensitive: boolean): boolean {
  return someOccurrence(
    hay,
    needle,
    caseSensitive,
    (h, start) => start === 0 || !isTermChar(h.charCodeAt(start - 1)),
  );
}

/** `hassuffix`: some term of the haystack ends with the needle. */
export function hasSuffix(hay: string, needle: string, caseSensitive: boolean): boolean {
  return someOccurrence(
    hay,
    needle,
    caseSensitive,
    (h, _start, end) => end >= h.length || !isTermChar(h.charCodeAt(end)),
  );
}

/** Converts a Kusto (RE2) regular expression to a JavaScript one; flags like `(?i)` become JS flags. */
export function kustoRegex(pattern: string, extraFlags = ''): RegExp {
  let flags = extraFlags;
  let body = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(body);
  if (lead) {
    body = body.slice(lead[0].length);
    for (const f of lead[1]!) if (f !== 'U' && !flags.includes(f)) flags += f;
  }
  return new RegExp(body, flags);
}
