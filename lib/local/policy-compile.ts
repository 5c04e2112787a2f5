/**
 * Compiles single policy elements (values and expressions, set-variable, set-header and
 * set-query-parameter, trace, the include_usage choose, return-response) from the parsed XML;
 * C# expressions are matched against the few shapes the kit's policies use, and anything else
 * fails with a {@link PolicyError} naming the file.
 */
import { PolicyError } from '../errors.js';
import { substituteNamedValues } from './policy-steps.js';
import type {
  HeaderStep,
  PolicyStep,
  PolicyValue,
  ReturnResponseStep,
  TraceTemplate,
} from './policy-steps.js';

/** One node of fast-xml-parser's ordered output. */
export type XmlNode = Record<string, unknown>;

export function tagOf(node: XmlNode): string {
  for (const key of Object.keys(node)) if (key !== ':@') return key;
  return '';
}

export function children(node: XmlNode): XmlNode[] {
  const value = node[tagOf(node)];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

export function attrs(node: XmlNode): Record<string, string | undefined> {
  return (node[':@'] as Record<string, string> | undefined) ?? {};
}

export function textOf(node: XmlNode): string {
  return children(node)
    .map((c) => (typeof c['#text'] === 'string' ? c['#text'] : ''))
    .join('');
}

export function need(
  file: string,
  tag: string,
  at: Record<string, string | undefined>,
  name: string,
): string {
  const value = at[name];
  if (value === undefined || value === '')
    throw new PolicyError(file, `<${tag}> needs a '${name}' attribute`);
  return value;
}

export function defaultDimension(file: string, name: string): string {
  const known: Record<string, string> = {
    'API ID': '@(context.Api.Id)',
    'Operation ID': '@(context.Operation.Id)',
    'Subscription ID': '@(context.Subscription.Id)',
  };
  const value = known[name];
  if (!value)
    throw new PolicyError(
      file,
      `dimension '${name}' has no value and is not a default dimension the emulator fills`,
    );
  return value;
}

/** The expression shapes the kit's policies use, and what they read in the emulator. */
const EXPRESSIONS: { pattern: RegExp; compile: (m: RegExpMatchArray) => PolicyValue }[] = [
  { pattern: /^context\.RequestId(?:\.ToString\(\))?$/, compile: () => (c) => c.requestId },
  { pattern: /^context\.Api\.Name$/, compile: () => (c) => c.apiName },
  { pattern: /^context\.Api\.Id$/, compile: () => (c) => c.apiId },
  { pattern: /^context\.Operation\.Name$/, compile: () => (c) => c.operationName },
  { pattern: /^context\.Operation\.Id$/, compile: () => (c) => c.operationId },
  {
    pattern: /^context\.Subscription\??\.(?:Id|Name)(?:\?\?"([^"]*)")?$/,
    compile: (m) => (c) => c.subscriptionId ?? m[1] ?? '',
  },
  {
    pattern: /^\(string\)context\.Variables\["([^"]+)"\]$/,
    compile: (m) => (c) => c.variables.get(m[1] as string) ?? '',
  },
  {
    pattern: /^context\.Variables\.GetValueOrDefault<string>\("([^"]+)"(?:,"([^"]*)")?\)$/,
    compile: (m) => (c) => c.variables.get(m[1] as string) ?? m[2] ?? '',
  },
  // The budget fragment's fields of its looked-up entry, as int, long or text.
  {
    pattern:
      /^(int|long)\.Parse\(\(\(string\)context\.Variables\["([^"]+)"\]\)\.Split\(','\)\[(\d)\]\)$/,
    compile: (m) => (c) => field(c.variables.get(m[2] as string), Number(m[3])),
  },
  {
    pattern: /^\(\(string\)context\.Variables\["([^"]+)"\]\)\.Split\(','\)\[(\d)\]$/,
    compile: (m) => (c) => field(c.variables.get(m[1] as string), Number(m[2])),
  },
];

function field(entry: string | undefined, index: number): string {
  return (entry ?? '').split(',')[index] ?? '';
}

export function compileValue(file: string, where: string, raw: string): PolicyValue {
  const text = raw.trim();
  if (!text.startsWith('@'))
    return /\{\{/.test(text) ? (c) => substituteNamedValues(text, c) : () => text;
  const inner =
    text.startsWith('@(') && text.endsWith(')') ? text.slice(2, -1).replace(/\s+/g, '') : undefined;
  if (inner !== undefined) {
    for (const e of EXPRESSIONS) {
      const m = inner.match(e.pattern);
      if (m) return e.compile(m);
    }
  }
  throw new PolicyError(
    file,
    `${where} uses the expression ${text.slice(0, 80)}, which the local emulator cannot evaluate`,
  );
}

export function compileSetVariable(file: string, name: string, raw: string): PolicyStep {
  // The budget fragment's code block: the entry of a `;`-separated named value for the subscription.
  const lookup = /"\{\{([^{}]+)\}\}"\.Split\(';'\)/.exec(raw);
  if (raw.trim().startsWith('@{') && lookup && /context\.Subscription\??\.Id/.test(raw))
    return { kind: 'named-value-entry', variable: name, namedValue: lookup[1] as string };
  // The caller-id fragment's code block: the claims it reads, in order, and its fallbacks.
  const claims = [...raw.matchAll(/claims\["([^"]+)"\]/g)].map((m) => m[1] as string);
  if (raw.trim().startsWith('@{') && claims.length > 0) {
    const fallback = raw.match(/\?\?\s*"([^"]*)"\s*;\s*}\s*$/)?.[1] ?? '';
    return {
      kind: 'caller-id',
      variable: name,
      claims,
      fallbackToSubscription: /context\.Subscription\??\.Id/.test(raw),
      fallback,
    };
  }
  return { kind: 'set-variable', name, value: compileValue(file, `set-variable ${name}`, raw) };
}

export function compileHeader(
  file: string,
  tag: 'set-header' | 'set-query-parameter',
  node: XmlNode,
): HeaderStep {
  const at = attrs(node);
  const name = need(file, tag, at, 'name');
  const action = at['exists-action'] ?? 'override';
  if (action !== 'override' && action !== 'skip' && action !== 'append' && action !== 'delete') {
    throw new PolicyError(
      file,
      `<${tag} name="${name}"> has exists-action '${action}'; use override, skip, append or delete`,
    );
  }
  const values = children(node)
    .filter((c) => tagOf(c) === 'value')
    .map((c) => compileValue(file, `<${tag} name="${name}">`, textOf(c)));
  return { kind: tag, name, existsAction: action, values };
}

export function compileTrace(file: string, node: XmlNode): TraceTemplate {
  const at = attrs(node);
  const message = children(node).find((c) => tagOf(c) === 'message');
  if (!message) throw new PolicyError(file, '<trace> needs a <message>');
  const text = textOf(message);
  if (text.startsWith('@'))
    throw new PolicyError(file, '<trace> message must be literal text for the local emulator');
  const metadata: Record<string, string> = {};
  for (const m of children(node).filter((c) => tagOf(c) === 'metadata')) {
    const ma = attrs(m);
    if (ma.name) metadata[ma.name] = ma.value ?? '';
  }
  return {
    source: need(file, 'trace', at, 'source'),
    severity: at.severity ?? 'verbose',
    message: text,
    metadata,
  };
}

export function compileChoose(file: string, node: XmlNode): PolicyStep {
  // The two <choose> shapes the kit uses: the stream include_usage rewrite with its trace
  // (ensure-stream-include-usage), and the costing API's answer to a body that is not JSON.
  const when = children(node).find((c) => tagOf(c) === 'when');
  const inner = when ? children(when) : [];
  const body = inner.find((c) => tagOf(c) === 'set-body');
  const condition = when ? (attrs(when).condition ?? '') : '';
  if (body && /include_usage/.test(textOf(body)) && /messages/.test(condition)) {
    const trace = inner.find((c) => tagOf(c) === 'trace');
    return { kind: 'ensure-include-usage', trace: trace ? compileTrace(file, trace) : undefined };
  }
  const answer = inner.find((c) => tagOf(c) === 'return-response');
  const method = /Request\.Method\s*!=\s*"([A-Z]+)"/.exec(condition)?.[1];
  if (answer && method && /JToken\.Parse\(/.test(condition)) {
    return { kind: 'reject-invalid-json', method, answer: compileReturnResponse(file, answer) };
  }
  throw new PolicyError(
    file,
    'uses a <choose> the local emulator does not recognise (only the stream include_usage rewrite and the invalid-JSON answer are implemented)',
  );
}

export function compileReturnResponse(file: string, node: XmlNode): ReturnResponseStep {
  let status = 200;
  let reason = 'OK';
  let body = '';
  const headers: HeaderStep[] = [];
  for (const c of children(node)) {
    const tag = tagOf(c);
    if (tag === 'set-status') {
      status = Number(attrs(c).code ?? '200');
      reason = attrs(c).reason ?? reason;
      if (!Number.isInteger(status) || status < 100 || status > 599)
        throw new PolicyError(file, `<set-status> code must be a literal HTTP status`);
    } else if (tag === 'set-header') {
      headers.push(compileHeader(file, 'set-header', c));
    } else if (tag === 'set-body') {
      body = textOf(c);
      if (body.startsWith('@'))
        throw new PolicyError(
          file,
          '<return-response><set-body> must be literal text for the local emulator',
        );
    }
  }
  return { kind: 'return-response', status, reason, headers, body };
}

/** Compiles `<llm-token-limit>`: a rate, a quota with its period, or both, as the reference requires. */
export function compileTokenLimit(file: string, node: XmlNode): PolicyStep {
  const at = attrs(node);
  const tag = 'llm-token-limit';
  const opt = (name: string) =>
    at[name] === undefined ? undefined : compileValue(file, `<${tag}> ${name}`, at[name]);
  const tokensPerMinute = opt('tokens-per-minute');
  const tokenQuota = opt('token-quota');
  const tokenQuotaPeriod = opt('token-quota-period');
  if (!tokensPerMinute && !tokenQuota)
    throw new PolicyError(file, `<${tag}> needs tokens-per-minute, token-quota or both`);
  if ((tokenQuota === undefined) !== (tokenQuotaPeriod === undefined))
    throw new PolicyError(file, `<${tag}> token-quota and token-quota-period go together`);
  return {
    kind: tag,
    counterKey: compileValue(file, `<${tag}> counter-key`, need(file, tag, at, 'counter-key')),
    tokensPerMinute,
    tokenQuota,
    tokenQuotaPeriod,
    estimatePromptTokens: compileValue(
      file,
      `<${tag}> estimate-prompt-tokens`,
      need(file, tag, at, 'estimate-prompt-tokens'),
    ),
    retryAfterHeader: at['retry-after-header-name'] ?? 'Retry-After',
    remainingQuotaTokensHeader: at['remaining-quota-tokens-header-name'],
    remainingTokensHeader: at['remaining-tokens-header-name'],
    tokensConsumedHeader: at['tokens-consumed-header-name'],
  };
}
