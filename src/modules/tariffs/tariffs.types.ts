import { agentPriceTableSchema, billLinesViewProperties, ratingAccountSchema, ratingResultSchema, ratingUsageSchema, tariffVersionSchema, type AgentPriceTable, type RatingAccount, type RatingUsage } from './domain/index.js';

/**
 * JSON schemas of the tariffs API (validated by Fastify, listed in OpenAPI) and the input types.
 * Catalogue definitions (a tariff version, a month's price table) are checked by the domain's own
 * validators, which name every problem with its path (`tiers[1].upToKwh`, `rows[3].agent`); the
 * schemas here only say "an object" for them, so a client sees one consistent list of problems.
 */

const month = { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' } as const;
const nullableString = { type: ['string', 'null'] } as const;

export { idParams } from '../../platform/schemas.js';

const audit = {
  createdByName: { type: 'string' },
  createdAt: { type: 'string', format: 'date-time' },
  publishedByName: nullableString,
  publishedAt: { type: ['string', 'null'], format: 'date-time' },
} as const;

export const versionSummarySchema = {
  type: 'object',
  required: ['id', 'code', 'effectiveFrom', 'kind', 'name', 'status'],
  properties: {
    id: { type: 'integer' },
    code: { type: 'string' },
    effectiveFrom: { type: 'string', description: 'YYYY-MM-DD' },
    kind: { type: 'string', enum: ['tiered', 'shared-meter', 'flat', 'single-part', 'two-part'] },
    name: { type: 'string' },
    status: { type: 'string', enum: ['draft', 'published'] },
    ...audit,
  },
} as const;

export const versionSchema = {
  ...versionSummarySchema,
  required: [...versionSummarySchema.required, 'definition'],
  properties: {
    ...versionSummarySchema.properties,
    definition: { type: 'object', additionalProperties: true, description: 'the version in the catalogue format (src/modules/tariffs/README.md)' },
    replaced: { type: 'boolean', description: 'on a draft save: an earlier draft of the same code and date was replaced' },
  },
} as const;

export const catalogueSchema = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'name', 'kind', 'versions'],
        properties: {
          code: { type: 'string' },
          name: { type: 'string', description: 'of the version in effect today, else the latest' },
          kind: { type: 'string' },
          currentVersionId: { type: ['integer', 'null'], description: 'the published version in effect today' },
          versions: { type: 'array', items: versionSummarySchema },
        },
      },
    },
    today: { type: 'string', description: 'business date (Asia/Shanghai) the current versions are taken at' },
  },
} as const;

/** A tariff version in the catalogue format; checked by validateTariffVersion (every problem, with its path). */
export const tariffDraftBody = { ...tariffVersionSchema, description: 'a tariff version in the catalogue format (src/modules/tariffs/README.md)' } as const;

export const publishedVersionSchema = versionSchema;

/**
 * A refusal (422, application/problem+json): every problem at once, each with its field, a stable
 * `code` and the `params` its message names, so a client can word it in its own language.
 */
export const validationProblemSchema = {
  type: 'object',
  description: 'RFC 9457 problem: every bad field at once',
  additionalProperties: true,
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer', examples: [422] },
    code: { type: 'string', examples: ['VALIDATION'] },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        required: ['field', 'message'],
        properties: {
          field: { type: 'string', examples: ['usage.kwh', 'tariff.tiers[1].upToKwh'] },
          code: {
            type: 'string',
            examples: ['required', 'too_large', 'critical_out_of_season', 'two_part_capacity', 'alpha_not_allowed', 'days_beyond_month', 'capacity_required_for_pf', 'kvarh_required'],
            description: 'stable machine code (src/modules/tariffs/README.md lists them)',
          },
          message: { type: 'string', description: 'English, for logs and API users' },
          params: { type: 'object', additionalProperties: true, description: 'values the message names, e.g. {max: "1000000000"}' },
          row: { type: 'integer', description: 'spreadsheet imports: the row as the spreadsheet shows it' },
          column: { type: 'string', description: 'spreadsheet imports: the column letter' },
        },
      },
    },
  },
} as const;

/** The 422 answer, to add to `response` of every route whose input the domain checks. */
export const refusals = { 422: validationProblemSchema } as const;

export const priceTableSummarySchema = {
  type: 'object',
  required: ['id', 'month', 'status', 'source', 'late', 'rowCount'],
  properties: {
    id: { type: 'integer' },
    month,
    status: { type: 'string', enum: ['draft', 'published'] },
    source: { type: 'string', enum: ['api', 'csv', 'xlsx', 'seed'] },
    late: { type: 'boolean', description: 'published later than 3 days before the month started (RULES §3)' },
    rowCount: { type: 'integer' },
    ...audit,
  },
} as const;

const comparisonSchema = {
  type: ['object', 'null'],
  description: 'the draft against the latest published table of an earlier month',
  properties: {
    month,
    missingRows: { type: 'array', items: { type: 'string' }, description: 'band × column rows that month had and this table lacks' },
    changes: {
      type: 'array',
      items: {
        type: 'object',
        properties: { voltage: { type: 'string' }, column: { type: 'string' }, component: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
      },
    },
  },
} as const;

export const priceTableSchema = {
  ...priceTableSummarySchema,
  required: [...priceTableSummarySchema.required, 'definition'],
  properties: {
    ...priceTableSummarySchema.properties,
    definition: { type: 'object', additionalProperties: true, description: '{month, rows: [{voltage, column, agent, lineLoss, td, systemOps, funds}]}' },
    deadline: { type: 'string', description: 'last day to publish on time: 3 days before the month starts (RULES §3)' },
    replaced: { type: 'boolean' },
    ignoredColumns: { type: 'array', items: { type: 'string' }, description: 'import: header cells that name no field' },
    comparison: comparisonSchema,
  },
} as const;

export const priceTableListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { status: { type: 'string', enum: ['draft', 'published'] }, from: month, to: month },
} as const;

export const priceTableDraftBody = { ...agentPriceTableSchema, description: "a month's agent-purchase price table {month, rows}" } as const;

export const importQuery = {
  type: 'object',
  required: ['month'],
  additionalProperties: false,
  properties: { month },
} as const;

export const fileQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { format: { type: 'string', enum: ['csv', 'xlsx'], default: 'xlsx' }, labels: { type: 'string', enum: ['en', 'zh'], default: 'en' } },
} as const;

// ---- quotes ------------------------------------------------------------------------------------

export interface QuoteInput {
  tariffCode?: string;
  tariff?: unknown;
  /** A what-if month table (e.g. a draft); default: the published table of `period`. */
  agentPrices?: unknown;
  period: string;
  account: RatingAccount;
  usage: RatingUsage;
}

/**
 * The quote body as documented. The route does not let ajv enforce it: the domain checks all of it
 * (`checkQuoteShape`, `validateTariffVersion`, `validateAgentPriceTable`, `checkRatingInput`) and answers
 * every problem in one 422 with codes, which a schema validator stopping per keyword could not.
 */
export const quoteBody = {
  type: 'object',
  required: ['period', 'account', 'usage'],
  additionalProperties: false,
  description: 'one of tariffCode / tariff',
  properties: {
    tariffCode: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]{2,63}$', description: 'a catalogue code: the published version in effect in `period` is used' },
    tariff: { ...tariffVersionSchema, description: 'or an inline tariff version in the catalogue format (a draft, a what-if)' },
    agentPrices: { ...agentPriceTableSchema, description: "optional what-if agent-purchase table of the period's month; default: the period's published table" },
    period: { ...month, description: 'the billing month' },
    account: ratingAccountSchema,
    usage: ratingUsageSchema,
  },
} as const;

export const quoteResponse = {
  ...ratingResultSchema,
  required: [...ratingResultSchema.required, 'subtotals', 'kwh', 'averagePrice'],
  properties: {
    ...ratingResultSchema.properties,
    ...billLinesViewProperties,
    tariffName: { type: 'string' },
    agentPrices: {
      type: ['object', 'null'],
      properties: { month, source: { type: 'string', enum: ['published', 'inline'] } },
      description: 'the agent-purchase table used, when the tariff prices energy by agent purchase',
    },
  },
} as const;

// ---- impact ------------------------------------------------------------------------------------

export const impactQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    top: { type: 'integer', minimum: 0, maximum: 10000, default: 50, description: 'how many of the most affected accounts to list (by absolute change)' },
    format: { type: 'string', enum: ['json', 'xlsx'], default: 'json', description: 'xlsx: the visit list (走访清单) of the top accounts' },
  },
} as const;

const bucket = { type: 'object', properties: { from: { type: ['integer', 'null'] }, to: { type: ['integer', 'null'] }, count: { type: 'integer' } } } as const;

export const impactSchema = {
  type: 'object',
  properties: {
    draft: {
      type: 'object',
      properties: { kind: { type: 'string', enum: ['tariffVersion', 'agentPriceTable'] }, id: { type: 'integer' }, code: nullableString, effectiveFrom: nullableString, month: nullableString },
    },
    basis: { type: 'string' },
    scope: { type: 'string', enum: ['company', 'station', 'area'] },
    accounts: {
      type: 'object',
      properties: {
        considered: { type: 'integer' },
        rated: { type: 'integer' },
        increased: { type: 'integer' },
        decreased: { type: 'integer' },
        unchanged: { type: 'integer' },
        noUsage: { type: 'integer', description: 'no meter with two cycle reads' },
        notAffected: { type: 'integer', description: 'their tariff in that period does not use what the draft changes' },
        notRated: { type: 'integer' },
      },
    },
    totals: { type: 'object', properties: { beforeFen: { type: 'integer' }, afterFen: { type: 'integer' }, changeFen: { type: 'integer' }, changePercent: nullableString } },
    histogramFen: { type: 'array', items: bucket, description: 'change in fen; the bucket {from: 0, to: 0} is "no change"' },
    histogramPercent: { type: 'array', items: bucket, description: 'change in basis points of the bill before (100 = 1%)' },
    noBase: { type: 'integer' },
    periods: { type: 'array', items: { type: 'object', properties: { period: { type: 'string' }, accounts: { type: 'integer' } } } },
    problems: {
      type: 'array',
      description: 'why accounts could not be rated, grouped by field',
      items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' }, count: { type: 'integer' }, accountNo: { type: 'string' } } },
    },
    top: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          accountId: { type: 'integer' },
          accountNo: { type: 'string' },
          name: { type: 'string' },
          category: { type: 'string' },
          tariffCode: { type: 'string' },
          stationName: nullableString,
          areaName: nullableString,
          managerName: nullableString,
          phone: { type: ['string', 'null'], description: 'masked' },
          period: { type: 'string' },
          beforeFen: { type: 'integer' },
          afterFen: { type: 'integer' },
          changeFen: { type: 'integer' },
          changePercent: nullableString,
        },
      },
    },
    elapsedMs: { type: 'integer' },
  },
} as const;

export type PriceTableInput = AgentPriceTable;
