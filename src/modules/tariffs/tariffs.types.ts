/**
 * The tariffs API's schemas (validated by Fastify, listed in OpenAPI) and, through `Static`, the types
 * the use cases return and the web app imports.
 *
 * Catalogue definitions (a tariff version, a month's price table) keep their own JSON Schemas
 * (domain/tariff-schema.ts: draft-07 with a conditional per kind, which TypeBox would only wrap) and
 * their TypeScript types (domain/tariff-format.ts, a union by kind); the schemas here take those types
 * with `Type.Unsafe`. They are checked by the domain's own validators, which name every problem with
 * its path (`tiers[1].upToKwh`, `rows[3].agent`); answers only say "an object" for them, so a client
 * sees one consistent list of problems.
 */
import { idParams, Nullable, StringEnum, Type, type Static, type TSchema } from '../../platform/schemas.js';
import { LINE_KINDS } from './domain/bill-lines.js';
import type { RatingAccount, RatingUsage } from './domain/rating-input.js';
import { TARIFF_KINDS, type AgentPriceTable, type TariffVersion } from './domain/tariff-format.js';
import { agentPriceTableSchema, ratingAccountSchema, ratingUsageSchema, tariffVersionSchema } from './domain/tariff-schema.js';

export { idParams };

export const PUBLICATION_STATUSES = ['draft', 'published'] as const;
/** A version or a month's table: a draft until published, then final. */
export type Status = (typeof PUBLICATION_STATUSES)[number];
export const PRICE_TABLE_SOURCES = ['api', 'csv', 'xlsx', 'seed'] as const;
export type PriceTableSource = (typeof PRICE_TABLE_SOURCES)[number];
export const DRAFT_KINDS = ['tariffVersion', 'agentPriceTable'] as const;
export type DraftKind = (typeof DRAFT_KINDS)[number];

const month = (description = 'YYYY-MM') => Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description });

/** An object or null, kept as `type: ['object', 'null']` (not anyOf), as `Nullable` does for primitives. */
function NullableObject<T extends TSchema>(schema: T) {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: ['object', 'null'] });
}

/** A JSON object of any keys, passed through as it is (a definition, a line's detail, a message's params). */
const anyObject = <T = Record<string, unknown>>(description?: string) =>
  Type.Unsafe<T>({ type: 'object', additionalProperties: true, ...(description !== undefined && { description }) });

const authorship = {
  createdByName: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  publishedByName: Nullable(Type.String()),
  publishedAt: Nullable(Type.String({ format: 'date-time' })),
};

// ---- catalogue ---------------------------------------------------------------------------------

export const versionSummarySchema = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  effectiveFrom: Type.String({ description: 'YYYY-MM-DD' }),
  kind: StringEnum(TARIFF_KINDS),
  name: Type.String(),
  status: StringEnum(PUBLICATION_STATUSES),
  ...authorship,
});
export type VersionSummary = Static<typeof versionSummarySchema>;

export const versionSchema = Type.Object({
  ...versionSummarySchema.properties,
  definition: anyObject<TariffVersion>('the version in the catalogue format (src/modules/tariffs/README.md)'),
  replaced: Type.Optional(Type.Boolean({ description: 'on a draft save: an earlier draft of the same code and date was replaced' })),
});
export type Version = Static<typeof versionSchema>;

export const catalogueItemSchema = Type.Object({
  code: Type.String(),
  name: Type.String({ description: 'of the version in effect today, else the latest' }),
  kind: StringEnum(TARIFF_KINDS),
  currentVersionId: Nullable(Type.Integer({ description: 'the published version in effect today' })),
  versions: Type.Array(versionSummarySchema),
});
export type CatalogueItem = Static<typeof catalogueItemSchema>;

export const catalogueSchema = Type.Object({
  items: Type.Array(catalogueItemSchema),
  today: Type.String({ description: 'business date (Asia/Shanghai) the current versions are taken at' }),
});
export type Catalogue = Static<typeof catalogueSchema>;

/** A tariff version in the catalogue format; checked by validateTariffVersion (every problem, with its path). */
export const tariffDraftBody = Type.Unsafe<TariffVersion>({ ...tariffVersionSchema, description: 'a tariff version in the catalogue format (src/modules/tariffs/README.md)' });

// ---- refusals ----------------------------------------------------------------------------------

export const fieldProblemSchema = Type.Object(
  {
    field: Type.String({ examples: ['usage.kwh', 'tariff.tiers[1].upToKwh'] }),
    code: Type.Optional(
      Type.String({
        examples: ['required', 'too_large', 'critical_out_of_season', 'two_part_capacity', 'alpha_not_allowed', 'days_beyond_month', 'capacity_required_for_pf', 'kvarh_required'],
        description: 'stable machine code (src/modules/tariffs/README.md lists them)',
      }),
    ),
    message: Type.String({ description: 'English, for logs and API users' }),
    params: Type.Optional(anyObject('values the message names, e.g. {max: "1000000000"}')),
    row: Type.Optional(Type.Integer({ description: 'spreadsheet imports: the row as the spreadsheet shows it' })),
    column: Type.Optional(Type.String({ description: 'spreadsheet imports: the column letter' })),
  },
  { additionalProperties: true },
);

/**
 * A refusal (422, application/problem+json): every problem at once, each with its field, a stable
 * `code` and the `params` its message names, so a client can word it in its own language.
 */
export const validationProblemSchema = Type.Object(
  {
    type: Type.Optional(Type.String()),
    title: Type.Optional(Type.String()),
    status: Type.Optional(Type.Integer({ examples: [422] })),
    code: Type.Optional(Type.String({ examples: ['VALIDATION'] })),
    detail: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(fieldProblemSchema)),
  },
  { description: 'RFC 9457 problem: every bad field at once', additionalProperties: true },
);

/** The 422 answer, to add to `response` of every route whose input the domain checks. */
export const refusals = { 422: validationProblemSchema } as const;

// ---- agent-purchase price tables ---------------------------------------------------------------

export const priceTableSummarySchema = Type.Object({
  id: Type.Integer(),
  month: month(),
  status: StringEnum(PUBLICATION_STATUSES),
  source: StringEnum(PRICE_TABLE_SOURCES),
  late: Type.Boolean({ description: 'published later than 3 days before the month started (RULES §3)' }),
  rowCount: Type.Integer(),
  ...authorship,
});
export type PriceTableSummary = Static<typeof priceTableSummarySchema>;

/** A month's tables are few: one list, no paging. */
export const priceTableListSchema = Type.Object({ items: Type.Array(priceTableSummarySchema), nextCursor: Type.Null() });
export type PriceTableList = Static<typeof priceTableListSchema>;

export const tableComparisonSchema = Type.Object(
  {
    month: month(),
    missingRows: Type.Array(Type.String(), { description: 'band × column rows that month had and this table lacks ("1-10kV two-part"): accounts rated by them would fail' }),
    changes: Type.Array(
      Type.Object({ voltage: Type.String(), column: Type.String(), component: Type.String(), from: Type.String(), to: Type.String() }),
      { description: 'components whose value differs, compared as exact decimals ("0.32" equals "0.3200")' },
    ),
  },
  { description: 'the draft against the latest published table of an earlier month' },
);
export type TableComparison = Static<typeof tableComparisonSchema>;

export const priceTableSchema = Type.Object({
  ...priceTableSummarySchema.properties,
  definition: anyObject<AgentPriceTable>('{month, rows: [{voltage, column, agent, lineLoss, td, systemOps, funds}]}'),
  deadline: Type.String({ description: 'last day to publish on time: 3 days before the month starts (RULES §3)' }),
  replaced: Type.Optional(Type.Boolean({ description: "on a draft save or import: that month's earlier draft was replaced" })),
  ignoredColumns: Type.Optional(Type.Array(Type.String(), { description: 'import: header cells that name no field' })),
  comparison: NullableObject(tableComparisonSchema),
});
export type PriceTable = Static<typeof priceTableSchema>;

export const priceTableListQuery = Type.Object(
  { status: Type.Optional(StringEnum(PUBLICATION_STATUSES)), from: Type.Optional(month()), to: Type.Optional(month()) },
  { additionalProperties: false },
);
export type PriceTableFilter = Static<typeof priceTableListQuery>;

export const priceTableDraftBody = Type.Unsafe<AgentPriceTable>({ ...agentPriceTableSchema, description: "a month's agent-purchase price table {month, rows}" });

export const importQuery = Type.Object({ month: month() }, { additionalProperties: false });

export const fileQuery = Type.Object(
  {
    format: Type.Optional({ ...StringEnum(['csv', 'xlsx']), default: 'xlsx' }),
    labels: Type.Optional({ ...StringEnum(['en', 'zh']), default: 'en' }),
  },
  { additionalProperties: false },
);
export type FileQuery = Static<typeof fileQuery>;

// ---- quotes ------------------------------------------------------------------------------------

/**
 * The quote body as documented. The route does not let ajv enforce it: the domain checks all of it
 * (`checkQuoteShape`, `validateTariffVersion`, `validateAgentPriceTable`, `checkRatingInput`) and answers
 * every problem in one 422 with codes, which a schema validator stopping per keyword could not.
 */
export const quoteBody = Type.Object(
  {
    tariffCode: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{2,63}$', description: 'a catalogue code: the published version in effect in `period` is used' })),
    tariff: Type.Optional(Type.Unsafe<TariffVersion>({ ...tariffVersionSchema, description: 'or an inline tariff version in the catalogue format (a draft, a what-if)' })),
    agentPrices: Type.Optional(
      Type.Unsafe<AgentPriceTable>({ ...agentPriceTableSchema, description: "optional what-if agent-purchase table of the period's month; default: the period's published table" }),
    ),
    period: month('the billing month'),
    account: Type.Unsafe<RatingAccount>(ratingAccountSchema),
    usage: Type.Unsafe<RatingUsage>(ratingUsageSchema),
  },
  { additionalProperties: false, description: 'one of tariffCode / tariff' },
);
export type QuoteInput = Static<typeof quoteBody>;

/** A bill line as presented (API, PDF, web): quantity × unitPrice × factor (÷ 100 for %) rounds to amountFen. */
export const presentedLineSchema = Type.Object({
  code: Type.String({ examples: ['energy.tier1', 'energy.peak', 'basic.demand', 'pf.adjustment', 'funds'] }),
  kind: StringEnum(LINE_KINDS, { description: 'what the subtotals group by' }),
  quantity: Type.String({ examples: ['160.00'], description: 'kWh, kVA or kW; for the power-factor line the base (basic + energy charge) in 元' }),
  unit: StringEnum(['kWh', 'kVA', 'kW', '元']),
  unitPrice: Type.String({ examples: ['0.5100', '2.00'], description: '元 per unit; for the power-factor line the signed percentage' }),
  priceUnit: StringEnum(['元/kWh', '元/kVA·月', '元/kW·月', '%']),
  factor: NullableObject(
    Type.Object(
      { num: Type.Integer(), den: Type.Integer(), text: Type.String({ examples: ['10/30'] }) },
      { description: 'a part month: days billed / days per month; null for a whole month' },
    ),
  ),
  amountFen: Type.Integer(),
  detail: anyObject<Readonly<Record<string, unknown>>>(),
});
export type PresentedLine = Static<typeof presentedLineSchema>;

/** Lines with units and factors, subtotals per kind, average price: what `presentBillLines` answers. */
export const billLinesViewProperties = {
  lines: Type.Array(presentedLineSchema),
  subtotals: Type.Array(Type.Object({ kind: presentedLineSchema.properties.kind, amountFen: Type.Integer() }), {
    description: 'Σ amountFen per kind of charge (energy, basic, pf, funds), in that order',
  }),
  kwh: Type.String({ examples: ['300.00'], description: 'active energy billed (the energy lines)' }),
  averagePrice: Nullable(Type.String({ examples: ['0.5833'], description: 'total ÷ kWh, 元/kWh, 4 decimals half-up; null without energy' })),
};
export const billLinesViewSchema = Type.Object(billLinesViewProperties);
export type BillLinesView = Static<typeof billLinesViewSchema>;

export const quoteResultSchema = Type.Object({
  tariffCode: Type.String(),
  tariffEffectiveFrom: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' }),
  period: month(),
  lines: billLinesViewProperties.lines,
  totalFen: Type.Integer(),
  subtotals: billLinesViewProperties.subtotals,
  kwh: billLinesViewProperties.kwh,
  averagePrice: billLinesViewProperties.averagePrice,
  tariffName: Type.String(),
  agentPrices: NullableObject(
    Type.Object(
      { month: month(), source: StringEnum(['published', 'inline']) },
      { description: 'the agent-purchase table used, when the tariff prices energy by agent purchase' },
    ),
  ),
});
export type QuoteResult = Static<typeof quoteResultSchema>;

// ---- impact ------------------------------------------------------------------------------------

export const impactQuery = Type.Object(
  {
    top: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000, default: 50, description: 'how many of the most affected accounts to list (by absolute change)' })),
    format: Type.Optional({ ...StringEnum(['json', 'xlsx'], { description: 'xlsx: the visit list (走访清单) of the top accounts' }), default: 'json' }),
  },
  { additionalProperties: false },
);
export type ImpactQuery = Static<typeof impactQuery>;

export const bucketSchema = Type.Object({
  from: Nullable(Type.Integer({ description: 'lower bound, inclusive; null: no lower bound' })),
  to: Nullable(Type.Integer({ description: 'upper bound, exclusive; null: no upper bound. The zero bucket has from = to = 0 (exactly no change)' })),
  count: Type.Integer(),
});
export type Bucket = Static<typeof bucketSchema>;

/** One of the most affected accounts, with whom to see about it: a row of the visit list (走访清单). */
export const affectedAccountSchema = Type.Object({
  accountId: Type.Integer(),
  accountNo: Type.String(),
  name: Type.String(),
  category: Type.String(),
  tariffCode: Type.String(),
  stationName: Nullable(Type.String()),
  areaName: Nullable(Type.String()),
  managerName: Nullable(Type.String()),
  phone: Nullable(Type.String({ description: 'masked' })),
  period: Type.String(),
  beforeFen: Type.Integer(),
  afterFen: Type.Integer(),
  changeFen: Type.Integer(),
  changePercent: Nullable(Type.String()),
});
export type AffectedAccount = Static<typeof affectedAccountSchema>;

export const impactSchema = Type.Object({
  draft: Type.Object({
    kind: StringEnum(DRAFT_KINDS),
    id: Type.Integer(),
    code: Nullable(Type.String()),
    effectiveFrom: Nullable(Type.String()),
    month: Nullable(Type.String()),
  }),
  basis: Type.String(),
  scope: StringEnum(['company', 'station', 'area']),
  accounts: Type.Object({
    considered: Type.Integer(),
    rated: Type.Integer(),
    increased: Type.Integer(),
    decreased: Type.Integer(),
    unchanged: Type.Integer(),
    noUsage: Type.Integer({ description: 'no meter with two cycle reads' }),
    notAffected: Type.Integer({ description: 'their tariff in that period does not use what the draft changes' }),
    notRated: Type.Integer(),
  }),
  totals: Type.Object({ beforeFen: Type.Integer(), afterFen: Type.Integer(), changeFen: Type.Integer(), changePercent: Nullable(Type.String()) }),
  histogramFen: Type.Array(bucketSchema, { description: 'change in fen; the bucket {from: 0, to: 0} is "no change"' }),
  histogramPercent: Type.Array(bucketSchema, { description: 'change in basis points of the bill before (100 = 1%)' }),
  noBase: Type.Integer(),
  periods: Type.Array(Type.Object({ period: Type.String(), accounts: Type.Integer() })),
  problems: Type.Array(Type.Object({ field: Type.String(), message: Type.String(), count: Type.Integer(), accountNo: Type.String() }), {
    description: 'why accounts could not be rated, grouped by field',
  }),
  top: Type.Array(affectedAccountSchema),
  elapsedMs: Type.Integer(),
});
export type Impact = Static<typeof impactSchema>;
