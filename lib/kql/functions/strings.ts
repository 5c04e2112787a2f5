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

registerScalar('strcat', (args) => {
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
});

registerScalar('strcat_delim', ([d, ...rest]) => {
  const delim = str(d!);
  const fns = rest.map(str);
  return (r) => fns.map((f) => f(r)).join(delim(r));
});

registerScalar('strlen', ([a]) => {
  const f = str(a!);
  return (r) => f(r).length;
});
registerScalar('tolower', ([a]) => {
  const f = str(a!);
  return (r) => f(r).toLowerCase();
});
registerScalar('toupper', ([a]) => {
  const f = str(a!);
  return (r) => f(r).toUpperCase();
});

registerScalar('substring', ([s, start, len]) => {
  const fs = str(s!);
  const fstart = start!.fn;
  const flen = len?.fn;
  return (r) => {
    const text = fs(r);
    const st = fstart(r);
    if (st === null) return '';
    const from = Math.max(0, Number(st));
    if (!flen) return text.substring(from);
    const n = flen(r);
    if (n === null) return text.substring(from);
    return text.substring(from, from + Math.max(0, Number(n)));
  };
});

registerScalar('split', ([s, d, idx]) => {
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
});

/** Converts a Kusto rewrite pattern (`\1`) to a JavaScript one (`$1`). */
function rewritePattern(rewrite: string): string {
  return rewrite.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1');
}

registerScalar('replace_regex', ([s, re, rw]) => {
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
});

registerScalar('replace_string', ([s, lookup, rw]) => {
  const fs = str(s!);
  const fl = str(lookup!);
  const frw = str(rw!);
  return (r) => {
    const l = fl(r);
    return l === '' ? fs(r) : fs(r).split(l).join(frw(r));
  };
});

registerScalar('extract', ([re, group, s], resultType) => {
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
});

registerScalar('trim', ([re, s]) => {
  const fre = str(re!);
  const fs = str(s!);
  return (r) => {
    const p = fre(r);
    return fs(r).replace(new RegExp(`^(?:${p})+|(?:${p})+$`, 'g'), '');
  };
});

registerScalar('indexof', ([s, lookup]) => {
  const fs = str(s!);
  const fl = str(lookup!);
  return (r) => fs(r).indexOf(fl(r));
});

registerScalar('countof', ([s, lookup]) => {
  const fs = str(s!);
  const fl = str(lookup!);
  return (r) => {
    const l = fl(r);
    if (l === '') return 0;
    return fs(r).split(l).length - 1;
  };
});

registerScalar('strcat_array', ([arr, delim]) => {
  const fa = arr!.fn;
  const fd = str(delim!);
  return (r) => {
    const v = fa(r);
    if (!Array.isArray(v)) return '';
    return v.map((x) => toKustoString(x)).join(fd(r));
  };
});

registerScalar('trim_start', ([re, s]) => {
  const fre = str(re!);
  const fs = str(s!);
  return (r) => fs(r).replace(new RegExp(`^(?:${fre(r)})+`), '');
});

registerScalar('trim_end', ([re, s]) => {
  const fre = str(re!);
  const fs = str(s!);
  return (r) => fs(r).replace(new RegExp(`(?:${fre(r)})+$`), '');
});

export type { Value };
