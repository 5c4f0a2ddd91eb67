/**
 * The billing schemas built on the tariffs module's: a bill with its lines as tariffs presents them, and
 * the body of a correction (退补), whose usage is what the rating engine takes. They reach tariffs through
 * its index.ts, which the web app cannot type-check, so they are kept apart from billing.types.ts; the web
 * composes `Bill` from `BillSummary` there and tariffs/domain/bill-lines.ts.
 */
import { Type, type Static } from '../../platform/schemas.js';
import { billLinesViewProperties, presentedLineSchema, ratingUsageSchema, type BillLinesView, type PresentedLine, type RatingUsage } from '../tariffs/index.js';
import { billSummarySchema } from './billing.types.js';

/** A stored line as presented (tariffs' presentBillLines): units, the part-month factor, and its lineNo. */
export type BillLine = PresentedLine & { lineNo: number };
const lineSchema = Type.Unsafe<BillLine>({
  ...presentedLineSchema,
  required: ['lineNo', ...presentedLineSchema.required],
  properties: { lineNo: Type.Integer(), ...presentedLineSchema.properties },
});

/** One bill with its lines, their subtotals and average price, and the ids of its adjustments. */
export const billSchema = Type.Object({
  ...billSummarySchema.properties,
  lines: Type.Array(lineSchema),
  subtotals: Type.Unsafe<BillLinesView['subtotals']>(billLinesViewProperties.subtotals),
  kwh: Type.Unsafe<BillLinesView['kwh']>(billLinesViewProperties.kwh),
  averagePrice: Type.Unsafe<BillLinesView['averagePrice']>(billLinesViewProperties.averagePrice),
  adjustmentIds: Type.Array(Type.Integer()),
});
export type Bill = Static<typeof billSchema>;

export const adjustmentBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    usage: Type.Optional(Type.Unsafe<RatingUsage>(ratingUsageSchema)),
    lines: Type.Optional(
      Type.Array(
        Type.Object(
          {
            code: Type.String({ pattern: '^[a-z]+(\\.[a-z0-9]+)*$', examples: ['energy.tier1'] }),
            quantity: Type.String({ pattern: '^-?[0-9]{1,12}(\\.[0-9]{1,4})?$', examples: ['-50.00'] }),
            unitPrice: Type.String({ pattern: '^-?[0-9]{1,6}(\\.[0-9]{1,10})?$', examples: ['0.5100'] }),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 20 },
      ),
    ),
  },
  { additionalProperties: false, description: 'either usage (re-rate the period with corrected usage; the adjustment is the difference) or lines (signed amounts by hand)' },
);
/** Usage re-rates the period (the adjustment is the difference, line code by line code); lines are signed amounts by hand (quantity × unitPrice, HALF_UP to the fen). */
export type AdjustmentInput = Static<typeof adjustmentBody>;
