import { inspect } from 'node:util';

/**
 * Every error the kit throws on purpose is a `KitError`: its message says what is wrong and
 * then what to do, and never shows a full key. Branch on the class (`instanceof`), not on text.
 */
export class KitError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KitError';
  }

  /**
   * How the notebook shows it: the kernel prints a failing cell's error with `console.error`,
   * which would add a stack trace; a kit error's message already says what to do, so it prints
   * alone (`err.stack` still has the trace).
   */
  [inspect.custom](): string {
    return `${this.name}: ${this.message}`;
  }
}

/** One entry of a {@link ConfigError}: the field path, the value received and what is allowed. */
export interface ConfigProblem {
  /** Dotted path of the field, e.g. `deployment.apimSku` or `businessUnits[2].name`. */
  field: string;
  /** The value that was received, as text (`undefined` when missing). */
  received: string;
  /** What the field accepts. */
  expected: string;
}

/** A configuration value is wrong; `problems` has one entry per bad field. */
export class ConfigError extends KitError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map((p) => `  - ${p.field}: got ${p.received}; ${p.expected}`);
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        `${lines.join('\n')}\nFix these fields in the configuration cell (A1) and run it again.`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A price was asked for a SKU or model the pricing tables do not know. */
export class UnknownPriceError extends KitError {
  constructor(kind: 'APIM SKU' | 'model', name: string, known: readonly string[]) {
    super(`Unknown ${kind} '${name}'. Known: ${known.join(', ')}.`);
    this.name = 'UnknownPriceError';
  }
}

/** A cell ran before the cell it depends on. The message names the cell to run. */
export class MissingStepError extends KitError {
  readonly step: string;
  constructor(step: string, what: string) {
    super(`${what} is not available yet: run cell ${step} first.`);
    this.name = 'MissingStepError';
    this.step = step;
  }
}

/** The target cannot be reached or used (no credentials, gateway down, emulator closed). */
export class TargetUnavailableError extends KitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TargetUnavailableError';
  }
}

/**
 * The compiled template (`bicep/main.json`) does not describe the APIs as the local gateway
 * reads them; `file` is the template, and the message names the API or operation.
 */
export class TemplateCatalogError extends KitError {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(
      `${file}: ${problem}. Fix bicep/main.bicep (or the policy it loads) and rebuild the template with npm run build:bicep.`,
    );
    this.name = 'TemplateCatalogError';
    this.file = file;
  }
}
