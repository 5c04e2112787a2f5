/**
 * Every error class the kit throws on purpose, in one place. Each message says what is wrong and
 * then what to do, and never shows a full key. Callers branch on the class (`instanceof`), never
 * on the text. The KQL engine's own classes (`KqlValidationError`, ...) live in `kql/errors.ts`
 * and extend {@link KitError} too.
 */
import { inspect } from 'node:util';

/** The base of every error the kit throws on purpose. */
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

/** A configuration value (or a cell's option) is wrong; `problems` has one entry per bad field. */
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

/** An argument of a library call is wrong (not a configuration field): names it and what it takes. */
export class InvalidArgumentError extends KitError {
  readonly argument: string;
  constructor(argument: string, received: string, expected: string, message?: string) {
    super(message ?? `Invalid ${argument}: got ${received}; ${expected}.`);
    this.name = 'InvalidArgumentError';
    this.argument = argument;
  }

  /** The same class with a message written for the case. */
  static because(argument: string, message: string): InvalidArgumentError {
    return new InvalidArgumentError(argument, '', '', message);
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
 * A plain-file artifact of the kit (`bicep/*.json`, `kql/*.kql`, `policies/`, `workbook.json`)
 * is missing, unreadable or out of date; the message names the file and how to fix it.
 */
export class ArtifactError extends KitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArtifactError';
  }
}

/** `workbook.json` or one of its items is unusable; the message names the item. */
export class WorkbookError extends ArtifactError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorkbookError';
  }
}

/** A policy file the emulator cannot read or run. */
export class PolicyError extends ArtifactError {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(
      `Policy file ${file}: ${problem}. Fix the file (or point the local target at the kit's policies/ folder) and deploy again.`,
    );
    this.name = 'PolicyError';
    this.file = file;
  }
}

/**
 * The compiled template (`bicep/main.json`) does not describe the APIs as the local gateway
 * reads them; `file` is the template, and the message names the API or operation.
 */
export class TemplateCatalogError extends ArtifactError {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(
      `${file}: ${problem}. Fix bicep/main.bicep (or the policy it loads) and rebuild the template with npm run build:bicep.`,
    );
    this.name = 'TemplateCatalogError';
    this.file = file;
  }
}

/** The ground-truth ledger file could not be read (not JSON, or not a ledger). */
export class LedgerError extends KitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LedgerError';
  }
}

/** The local log store cannot be used (unknown table, unreadable file). */
export class LogStoreError extends KitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogStoreError';
  }
}

/** Logs or metrics did not all arrive in time; `received` of `expected` rows came. */
export class IngestionTimeoutError extends KitError {
  readonly expected: number;
  readonly received: number;
  readonly waitedMs: number;
  constructor(expected: number, received: number, waitedMs: number, attempts: number) {
    super(
      `Only ${received} of ${expected} row(s) arrived after ${Math.round(waitedMs / 1000)} s (${attempts} queries). ` +
        'Ingestion can take 5-10 minutes: run the cell again, or check that the traffic cells succeeded.',
    );
    this.name = 'IngestionTimeoutError';
    this.expected = expected;
    this.received = received;
    this.waitedMs = waitedMs;
  }
}

/** A query came back partial (the service answered with part of the rows and an error). */
export class PartialResultError extends KitError {
  readonly query: string;
  constructor(query: string, error: string) {
    super(`${query} returned a partial result: ${error}. Run the cell again.`);
    this.name = 'PartialResultError';
    this.query = query;
  }
}

/** A configured model has no deployment behind the AOAI gateway. */
export class ModelNotDeployedError extends KitError {
  readonly model: string;
  constructor(model: string, deployed: readonly string[]) {
    super(
      `Model '${model}' is not deployed behind the AOAI gateway (deployed: ${deployed.join(', ') || 'none'}): add it to models in cell A1 and rerun A2.`,
    );
    this.name = 'ModelNotDeployedError';
    this.model = model;
  }
}

/** A client-credentials token for the real-JWT traffic could not be had (never shows the secret). */
export class TokenRequestError extends KitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenRequestError';
  }
}

/** An operation did not finish within the `timeoutMs` its caller gave. */
export class OperationTimeoutError extends KitError {
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number, options?: { cause?: unknown; hint?: string }) {
    super(
      `${what} did not finish within ${formatDuration(timeoutMs)}. ${options?.hint ?? 'Run the cell again, or give it a longer timeoutMs.'}`,
      options?.cause !== undefined ? { cause: options.cause } : undefined,
    );
    this.name = 'OperationTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** The deployment did not finish within `timeoutMs`; it goes on in Azure. */
export class DeploymentTimeoutError extends OperationTimeoutError {
  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super('The deployment', timeoutMs, {
      ...options,
      hint: 'It goes on in Azure: run cell A2 again later to pick up its outputs.',
    });
    this.name = 'DeploymentTimeoutError';
  }
}

/** One failing resource of an ARM deployment. */
export interface DeploymentFailure {
  /** e.g. `Microsoft.ApiManagement/service/apis`. */
  resourceType: string;
  resourceName: string;
  /** ARM error code, e.g. `ValidationError`. */
  code: string;
  /** ARM's message. */
  message: string;
}

/** An ARM deployment failed; `failures` names each failing resource and ARM's message. */
export class AzureDeploymentError extends KitError {
  readonly deploymentName: string;
  readonly failures: readonly DeploymentFailure[];
  constructor(
    deploymentName: string,
    failures: readonly DeploymentFailure[],
    hint: string,
    options?: { cause?: unknown },
  ) {
    const lines = failures.map(
      (f) => `  - ${f.resourceType} '${f.resourceName}': ${f.code}: ${f.message}`,
    );
    super(`Deployment '${deploymentName}' failed:\n${lines.join('\n')}\n${hint}`, options);
    this.name = 'AzureDeploymentError';
    this.deploymentName = deploymentName;
    this.failures = failures;
  }
}

/**
 * Cell A2 found, before writing anything to Azure, what would fail or overwrite someone else's
 * entity; `problems` holds one line per finding, each saying what to do.
 */
export class AzurePreflightError extends KitError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(
      `Nothing was deployed: the checks before deployment found ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'AzurePreflightError';
    this.problems = problems;
  }
}

/**
 * Azure is still busy with something this cell needs (a deployment from an earlier run, an
 * identity or provider registration that is propagating, an export run in the queue); the
 * message says when to run the cell again.
 */
export class AzurePendingError extends KitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AzurePendingError';
  }
}

/** A Cost Management export run ended `Failed` or `Timeout`; the message carries Azure's reason. */
export class CostExportRunError extends KitError {
  /** The run's final status. */
  readonly status: string;
  constructor(status: string, message: string) {
    super(message);
    this.name = 'CostExportRunError';
    this.status = status;
  }
}

/** An Azure request failed in a way the user can act on (permissions, throttling, missing resource). */
export class AzureRequestError extends KitError {
  /** HTTP status, when the service answered. */
  readonly statusCode: number | undefined;
  /** ARM error code, e.g. `AuthorizationFailed`. */
  readonly code: string | undefined;
  constructor(
    message: string,
    statusCode: number | undefined,
    code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AzureRequestError';
    this.statusCode = statusCode;
    this.code = code;
  }
}

function formatDuration(ms: number): string {
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

/** The enforcement record of cell E5 cannot be used for an undo (none applied, or unreadable). */
export class EnforcementRecordError extends KitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EnforcementRecordError';
  }
}

/** Blob storage refused to list or read the cost export (no data role on the account). */
export class CostExportAccessError extends KitError {
  constructor(account: string, container: string, cause?: unknown) {
    super(
      `Storage account '${account}' refused to list or read container '${container}' (403). Reading the export needs the Storage Blob Data Reader role (or Contributor) on the storage account for your sign-in: assign it (it takes a few minutes to apply) and run the cell again.`,
      { cause },
    );
    this.name = 'CostExportAccessError';
  }
}

/** No complete Cost Management export run to read yet (or only one still being written). */
export class CostExportNotReadyError extends KitError {
  readonly inProgress: boolean;
  constructor(message: string, inProgress: boolean) {
    super(message);
    this.name = 'CostExportNotReadyError';
    this.inProgress = inProgress;
  }
}

/** An export file is not what the allocation can use: another export or scope, a currency, a malformed or truncated file. */
export class CostExportFileError extends KitError {
  /** Blob path of the file, and its line when one is to blame. */
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, line: number | undefined, message: string) {
    super(
      `${file}${line !== undefined ? `, line ${line}` : ''}: ${message} Nothing was allocated.`,
    );
    this.name = 'CostExportFileError';
    this.file = file;
    this.line = line;
  }
}

/** A local emulator (Azurite) did not start or stopped answering. */
export class LocalEmulatorError extends KitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalEmulatorError';
  }
}

/** Another live kernel holds the data folder (its lock file names the pid). */
export class DataFolderLockedError extends KitError {
  readonly dataDir: string;
  readonly holderPid: number;
  constructor(dataDir: string, holderPid: number) {
    super(
      `The data folder ${dataDir} is in use by another kernel (pid ${holderPid}): shut that kernel down, or set local.dataDir in cell A1 to another folder.`,
    );
    this.name = 'DataFolderLockedError';
    this.dataDir = dataDir;
    this.holderPid = holderPid;
  }
}

/** A traffic run was stopped before the end (kernel interrupt, a re-run of its cell). */
export class TrafficInterruptedError extends KitError {
  readonly cell: string;
  constructor(cell: string, why: string) {
    super(
      `${cell} was stopped (${why}); the ledger keeps what it sent as an aborted run, and E1-E3 count it: run ${cell} again to send its plan anew.`,
    );
    this.name = 'TrafficInterruptedError';
    this.cell = cell;
  }
}
