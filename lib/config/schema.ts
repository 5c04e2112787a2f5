/**
 * The zod schema behind `loadConfig`: every field, its default and the message a bad value gets.
 * Kept out of the public types (cells see plain interfaces, not zod's generics).
 */
import { z } from 'zod';
import { DEFAULT_BUSINESS_UNITS, DEFAULT_CALLERS, DEFAULT_MODELS } from './defaults.js';
import { APIM_SKUS, TOKEN_QUOTA_PERIODS } from './types.js';
import { MAX_PLANNED_REQUESTS, MAX_WEIGHT } from './bounds.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BU_NAME = /^bu-[a-z0-9][a-z0-9-]*$/;

/** A weight: greater than 0 and bounded, so a plan stays finite (C1 would loop forever on 1e300). */
const weight = z
  .number()
  .positive({ message: 'must be a number greater than 0' })
  .max(MAX_WEIGHT, {
    message: `must be at most ${MAX_WEIGHT}: weights are relative, so lower them all by the same factor`,
  });

/** A display name: at least one visible character. */
const displayName = z
  .string()
  .refine((s) => s.trim() !== '', { message: 'must contain a visible character, not only spaces' });

/** A request count before weighting, bounded like the cell totals. */
const requestCount = z
  .number()
  .int({ message: 'must be a whole number greater than 0' })
  .positive({ message: 'must be a whole number greater than 0' })
  .max(MAX_PLANNED_REQUESTS, {
    message: `must be at most ${MAX_PLANNED_REQUESTS.toLocaleString('en-US')} (the most one traffic cell plans): lower it in cell A1`,
  });

const businessUnit = z.strictObject({
  name: z.string().regex(BU_NAME, {
    message: "must start with 'bu-' followed by lower-case letters, digits or '-'",
  }),
  displayName,
  weight,
});

const caller = z.strictObject({
  appId: z
    .string()
    .regex(GUID, { message: 'must be a GUID like 00000000-0000-0000-0000-000000000000' }),
  name: displayName,
  weight,
});

const model = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'must be a model name like gpt-4o-mini' }),
  version: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date-style version like 2024-07-18' }),
  capacityKTpm: z
    .number()
    .int()
    .positive({ message: 'must be a whole number of K TPM greater than 0' }),
  requestsPerBu: requestCount,
});

const buBudget = z.strictObject({
  tokensPerMinute: z
    .number()
    .int()
    .positive({ message: 'must be a whole number of tokens per minute greater than 0' })
    .max(2_147_483_647, { message: 'must fit an int (at most 2147483647)' })
    .optional(),
  tokenQuota: z
    .number()
    .int()
    .positive({ message: 'must be a whole number of tokens greater than 0' })
    .optional(),
  tokenQuotaPeriod: z.enum(TOKEN_QUOTA_PERIODS).optional(),
  monthlyBudgetUsd: z
    .number()
    .positive({ message: 'must be a USD amount greater than 0' })
    .optional(),
});

const share = z
  .number()
  .min(0, { message: 'must be between 0 and 1' })
  .max(1, { message: 'must be between 0 and 1' });

export const configSchema = z
  .object({
    target: z.enum(['local', 'azure']).default('local'),
    deployment: z
      .strictObject({
        location: z
          .string()
          .regex(/^[a-z0-9]+$/, { message: 'must be an Azure region name like eastus2' })
          .default('eastus2'),
        index: z
          .number()
          .int()
          .min(1, { message: 'must be a whole number of 1 or more' })
          .default(1),
        apimSku: z.enum(APIM_SKUS).default('BasicV2'),
        resourceGroup: z
          .string()
          .regex(/^[-\w._()]{1,90}$/, {
            message: 'must be a resource group name (letters, digits, - _ . ( ), at most 90)',
          })
          .optional(),
        apimName: z
          .string()
          .regex(/^[a-zA-Z][a-zA-Z0-9-]{0,49}$/, {
            message:
              'must be an APIM service name (a letter, then letters, digits or -, at most 50)',
          })
          .optional(),
        // Bring-your-own infrastructure (lib/config/byo.ts checks the combination).
        apimResourceGroup: z
          .string()
          .regex(/^[-\w._()]{1,90}$/, {
            message: 'must be a resource group name (letters, digits, - _ . ( ), at most 90)',
          })
          .optional(),
        logAnalyticsWorkspaceId: z.string().optional(),
        appInsightsId: z.string().optional(),
        gatewayUrl: z.string().optional(),
        apiPrefix: z
          .string()
          .regex(/^[a-z0-9-]*$/, { message: "must be lower-case letters, digits or '-'" })
          .default('costing-'),
        tags: z.record(z.string(), z.string()).default({}),
      })
      .prefault({}),
    features: z
      .strictObject({
        enableEntraIdTracking: z.boolean().default(true),
        enableTokenTracking: z.boolean().default(true),
        enableFoundry: z.boolean().optional(),
        forceStreamIncludeUsage: z.boolean().default(true),
      })
      .prefault({}),
    traffic: z
      .strictObject({
        runRegularRequests: z.boolean().default(true),
        runAiRequests: z.boolean().default(true),
        generateSampleLoad: z.boolean().default(true),
        sampleRequestsPerSubscription: requestCount.default(50),
        concurrency: z
          .number()
          .int()
          .min(1, { message: 'must be a whole number of 1 or more' })
          .max(64, { message: 'must be at most 64' })
          .default(8),
        errorShare: share.default(0.05),
        requestTimeoutMs: z
          .number()
          .int()
          .positive({ message: 'must be a whole number of milliseconds greater than 0' })
          .default(30_000),
        maxRetries: z
          .number()
          .int()
          .min(0, { message: 'must be a whole number of 0 or more' })
          .default(3),
      })
      .prefault({}),
    realJwt: z
      .strictObject({
        useRealJwt: z.boolean().default(false),
        tenantId: z.string().optional(),
        clientId: z.string().optional(),
        clientSecret: z.string().optional(),
        requests: requestCount.default(10),
      })
      .prefault({}),
    governance: z
      .strictObject({
        costExportFrequency: z.enum(['Daily', 'Weekly', 'Monthly']).default('Daily'),
        createBudgetAlerts: z.boolean().default(true),
        alertThreshold: z
          .number()
          .int()
          .positive({ message: 'must be a whole number of requests greater than 0' })
          .default(1000),
        alertEmail: z.string().email({ message: 'must be an email address' }).optional(),
      })
      .prefault({}),
    businessUnits: z
      .array(businessUnit)
      .min(1, { message: 'must list at least one business unit' })
      .default(() => DEFAULT_BUSINESS_UNITS.map((b) => ({ ...b }))),
    budgets: z
      .strictObject({
        businessUnits: z
          .record(
            z.string().regex(BU_NAME, { message: "must be a BU name starting with 'bu-'" }),
            buBudget,
          )
          .optional(),
        estimatePromptTokens: z.boolean().default(false),
      })
      .prefault({}),
    callers: z
      .array(caller)
      .min(1, { message: 'must list at least one caller' })
      .default(() => DEFAULT_CALLERS.map((c) => ({ ...c }))),
    models: z
      .array(model)
      .min(1, { message: 'must list at least one model' })
      .default(() => DEFAULT_MODELS.map((m) => ({ ...m }))),
    local: z
      .strictObject({
        dataDir: z.string().min(1, { message: 'must be a folder path' }).optional(),
        ingestionLagMs: z
          .number()
          .int()
          .min(0, { message: 'must be 0 or more milliseconds' })
          .default(0),
        rateLimitPerMinute: z
          .number()
          .int()
          .positive({ message: 'must be a whole number greater than 0' })
          .default(100_000),
        costDiscount: z
          .number()
          .min(0, { message: 'must be a share from 0 to 0.9 (0.12 = 12% off list price)' })
          .max(0.9, { message: 'must be a share from 0 to 0.9 (0.12 = 12% off list price)' })
          .default(0.12),
      })
      .prefault({}),
    azure: z
      .strictObject({
        subscriptionId: z
          .string()
          .regex(GUID, { message: 'must be a subscription GUID' })
          .optional(),
        tenantId: z.string().regex(GUID, { message: 'must be a tenant GUID' }).optional(),
      })
      .prefault({}),
  })
  .strict();
