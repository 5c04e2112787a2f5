/**
 * Numeric functions: round, floor/bin, bin_at, ceiling, abs, sqrt, pow, log, log10, exp.
 */
import { binary, registerScalar, unary } from './registry.js';

/** Milliseconds from 0001-01-01 (Kusto's datetime origin) to the Unix epoch. */
const KUSTO_EPOCH_OFFSET_MS = 62_135_596_800_000;

registerScalar(
  'round',
  ([x, p]) => {
    const fx = x!.fn;
    const fp = p?.fn;
    return (r) => {
      const v = fx(r);
      if (v === null) return null;
      const digits = fp ? Number(fp(r) ?? 0) : 0;
      return roundTo(v as number, digits);
    };
  },
  2,
);

/** Rounds half away from zero at a decimal digit, shifting through the decimal text so 2.15 -> 2.2. */
export function roundTo(n: number, digits: number): number {
  if (!Number.isFinite(n)) return n;
  const shifted = Math.round(Number(`${Math.abs(n)}e${digits}`));
  const back = Number(`${shifted}e${-digits}`);
  return n < 0 ? -back : back;
}

/**
 * `bin(x, step)` for a positive step: datetimes are aligned on Kusto's origin (0001-01-01
 * UTC), which matters for week bins; an integral result type truncates.
 */
export function binValue(x: number, step: number, isDatetime: boolean, integral: boolean): number {
  if (isDatetime)
    return Math.floor((x + KUSTO_EPOCH_OFFSET_MS) / step) * step - KUSTO_EPOCH_OFFSET_MS;
  const b = Math.floor(x / step) * step;
  return integral ? Math.trunc(b) : b;
}

registerScalar(
  ['bin', 'floor'],
  ([v, size], resultType) => {
    const fv = v!.fn;
    const fs = size!.fn;
    const isDatetime = v!.type === 'datetime';
    const integral = resultType === 'int' || resultType === 'long';
    // The common `bin(TimeGenerated, 1h)`: a constant step, checked once.
    const fixed = size!.isConstant ? size!.constant : undefined;
    if (typeof fixed === 'number' && fixed > 0) {
      return (r) => {
        const x = fv(r);
        return x === null ? null : binValue(x as number, fixed, isDatetime, integral);
      };
    }
    return (r) => {
      const x = fv(r);
      if (x === null) return null;
      const s = fs(r);
      // Documented: a zero, negative or null bin size gives null.
      if (s === null || (s as number) <= 0) return null;
      return binValue(x as number, s as number, isDatetime, integral);
    };
  },
  2,
);

registerScalar(
  'bin_at',
  ([v, size, at]) => {
    const fv = v!.fn;
    const fs = size!.fn;
    const fa = at!.fn;
    return (r) => {
      const x = fv(r);
      const s = fs(r);
      const a = fa(r);
      // As bin(): a zero, negative or null bin size gives null.
      if (x === null || s === null || a === null || (s as number) <= 0) return null;
      return (
        Math.floor(((x as number) - (a as number)) / (s as number)) * (s as number) + (a as number)
      );
    };
  },
  3,
);

registerScalar(
  'ceiling',
  unary((v) => Math.ceil(v as number)),
  1,
);
registerScalar(
  'abs',
  unary((v) => Math.abs(v as number)),
  1,
);
registerScalar(
  'sqrt',
  unary((v) => ((v as number) < 0 ? null : Math.sqrt(v as number))),
  1,
);
registerScalar(
  'exp',
  unary((v) => Math.exp(v as number)),
  1,
);
registerScalar(
  'log',
  unary((v) => ((v as number) <= 0 ? null : Math.log(v as number))),
  1,
);
registerScalar(
  'log10',
  unary((v) => ((v as number) <= 0 ? null : Math.log10(v as number))),
  1,
);
registerScalar(
  'pow',
  binary((a, b) => (a as number) ** (b as number)),
  2,
);
registerScalar(
  'sign',
  unary((v) => Math.sign(v as number)),
  1,
);
registerScalar(
  'isnan',
  ([a]) => {
    const f = a!.fn;
    return (r) => {
      const v = f(r);
      return typeof v === 'number' && Number.isNaN(v);
    };
  },
  1,
);
registerScalar(
  'isfinite',
  ([a]) => {
    const f = a!.fn;
    return (r) => {
      const v = f(r);
      return typeof v === 'number' && Number.isFinite(v);
    };
  },
  1,
);
