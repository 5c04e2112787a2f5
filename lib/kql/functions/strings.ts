/**
 * String functions: strcat, substring, split, replace_regex, replace_string, extract,
 * strlen, tolower, toupper, trim, indexof, strcat_delim.
 */
import { kustoRegex } from '../engine/string-ops.js';
import { toKustoString, type Value } from '../engine/values.js';
import { registerScalar, type Arg } from './registry.js';

function str(a: Arg): (r: number) => string {
  const f = a.fn;
  const t = a.type;
  return t === 'string' ? (r) => (f(r) as string | null) ?? '' : (r) => toKustoString(f(r), t);
}

registerScalar(
  'strcat',
  (args) => {
    const fns = args.map(str);
    if (fns.length === 2) {
      const [a, b] = fns as [(r: number) => string, (r: number) => string];
      return (r) => a(r) + b(r);
    }
    return (r) => {
      let s = '';
      for (const f of fns) s += f(r);
      return s;
    };
  },
  Infinity,
);

registerScalar(
  'strcat_delim',
  ([d, ...rest]) => {
    const delim = str(d!);
    const fns = rest.map(str);
    return (r) => fns.map((f) => f(r)).join(delim(r));
  },
  Infinity,
);

registerScalar(
  'strlen',
  ([a]) => {
    const f = str(a!);
    return (r) => f(r).length;
  },
  1,
);
registerScalar(
  'tolower',
  ([a]) => {
    const f = str(a!);
    return (r) => f(r).toLowerCase();
  },
  1,
);
registerScalar(
  'toupper',
  ([a]) => {
    const f = str(a!);
    return (r) => f(r).toUpperCase();
  },
  1,
);

registerScalar(
  'substring',
  ([s, start, len]) => {
    const fs = str(s!);
    const fstart = start!.fn;
    const flen = len?.fn;
    return (r) => {
      const text = fs(r);
      const st = fstart(r);
      if (st === null) return '';
      // Documented: a negative start counts from the end of the string.
      const at = Math.trunc(Number(st));
      const from = at < 0 ? Math.max(0, text.length + at) : at;
      if (!flen) return text.substring(from);
      const n = flen(r);
      if (n === null) return text.substring(from);
      return text.substring(from, from + Math.max(0, Math.trunc(Number(n))));
    };
  },
  3,
);

registerScalar(
  'split',
  ([s, d, idx]) => {
    const fs = str(s!);
    const fd = str(d!);
    const fi = idx?.fn;
    return (r) => {
      const parts = fs(r).split(fd(r));
      if (!fi) return parts;
      const i = fi(r);
      if (i === null) return parts;
      // With an index, the result is an array holding that one part (empty when out of range).
      const at = Number(i);
      return at >= 0 && at < parts.length ? [parts[at]!] : [];
    };
  },
  3,
);

/** Converts a Kusto rewrite pattern (`\1`) to a JavaScript one (`$1`). */
function rewritePattern(rewrite: string): string {
  return rewrite.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1');
}

registerScalar(
  'replace_regex',
  ([s, re, rw]) => {
    const fs = str(s!);
    const fre = str(re!);
    const frw = str(rw!);
    const cache = new Map<string, RegExp>();
    return (r) => {
      const pattern = fre(r);
      let rx = cache.get(pattern);
      if (!rx) {
        rx = kustoRegex(pattern, 'g');
        cache.set(pattern, rx);
      }
      return fs(r).replace(rx, rewritePattern(frw(r)));
    };
  },
  3,
);

registerScalar(
  'replace_string',
  ([s, lookup, rw]) => {
    const fs = str(s!);
    const fl = str(lookup!);
    const frw = str(rw!);
    return (r) => {
      const l = fl(r);
      return l === '' ? fs(r) : fs(r).split(l).join(frw(r));
    };
  },
  3,
);

registerScalar(
  'extract',
  ([re, group, s], resultType) => {
    const fre = str(re!);
    const fg = group!.fn;
    const fs = str(s!);
    const cache = new Map<string, RegExp>();
    return (r) => {
      const pattern = fre(r);
      let rx = cache.get(pattern);
      if (!rx) {
        rx = kustoRegex(pattern);
        cache.set(pattern, rx);
      }
      const m = rx.exec(fs(r));
      const g = Number(fg(r) ?? 0);
      const text = m ? (m[g] ?? '') : '';
      // With typeof(T) the match is converted; no match (or a failed conversion) is null.
      if (resultType === 'string') return text;
      if (!m || text === '') return null;
      if (resultType === 'bool') return text === 'true' ? true : text === 'false' ? false : null;
      const n = Number(text);
      if (Number.isNaN(n)) return null;
      return resultType === 'int' || resultType === 'long' ? Math.trunc(n) : n;
    };
  },
  4,
);

registerScalar(
  'trim',
  ([re, s]) => {
    const fre = str(re!);
    const fs = str(s!);
    return (r) => {
      const p = fre(r);
      return fs(r).replace(new RegExp(`^(?:${p})+|(?:${p})+$`, 'g'), '');
    };
  },
  2,
);

/**
 * `indexof(string, match [, start [, length [, occurrence]]])`. The documented examples fix
 * the details the prose leaves open: a negative start counts from the end; the window examined
 * runs from start to start + length inclusive (`indexof("abcdefg","cde",1,2)` is -1 and
 * `indexof("abcdefgabcdefg","cde",1,10,2)` is 9); null for a start still before 0, a length
 * below -1 or an occurrence below 0.
 */
export function indexOf(
  text: string,
  match: string,
  start: number,
  length: number,
  occurrence: number,
): number | null {
  const from = start < 0 ? text.length + start : start;
  if (from < 0 || length < -1 || occurrence < 0) return null;
  if (occurrence === 0) return null;
  const end = length === -1 ? text.length : Math.min(text.length, from + length + 1);
  let at = from - 1;
  for (let k = 0; k < occurrence; k++) {
    at = text.indexOf(match, at + 1);
    if (at < 0 || at + match.length > end) return -1;
  }
  return at;
}

registerScalar(
  'indexof',
  ([s, lookup, start, length, occurrence]) => {
    const fs = str(s!);
    const fl = str(lookup!);
    const fst = start?.fn;
    const fln = length?.fn;
    const foc = occurrence?.fn;
    if (!fst) return (r) => fs(r).indexOf(fl(r));
    return (r) => {
      const st = fst(r);
      const ln = fln ? fln(r) : -1;
      const oc = foc ? foc(r) : 1;
      if (st === null || ln === null || oc === null) return null;
      return indexOf(fs(r), fl(r), Number(st), Number(ln), Number(oc));
    };
  },
  5,
);

registerScalar(
  'countof',
  ([s, lookup]) => {
    const fs = str(s!);
    const fl = str(lookup!);
    return (r) => {
      const l = fl(r);
      if (l === '') return 0;
      return fs(r).split(l).length - 1;
    };
  },
  2,
);

registerScalar(
  'strcat_array',
  ([arr, delim]) => {
    const fa = arr!.fn;
    const fd = str(delim!);
    return (r) => {
      const v = fa(r);
      if (!Array.isArray(v)) return '';
      return v.map((x) => toKustoString(x)).join(fd(r));
    };
  },
  2,
);

registerScalar(
  'trim_start',
  ([re, s]) => {
    const fre = str(re!);
    const fs = str(s!);
    return (r) => fs(r).replace(new RegExp(`^(?:${fre(r)})+`), '');
  },
  2,
);

registerScalar(
  'trim_end',
  ([re, s]) => {
    const fre = str(re!);
    const fs = str(s!);
    return (r) => fs(r).replace(new RegExp(`(?:${fre(r)})+$`), '');
  },
  2,
);

export type { Value };
