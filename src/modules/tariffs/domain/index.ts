/** The tariffs module's pure core: catalogue format, validation, compilation, rating, Gansu defaults. */
export * from './tariff-format.js';
export * from './tariff-schema.js';
export { validateTariffVersion, validateAgentPriceTable, assertTariffVersion, assertAgentPriceTable } from './validate.js';
export {
  compileTariff,
  compileTariffHistory,
  compileCatalogue,
  compileAgentPrices,
  CompiledTariff,
  CompiledTariffHistory,
  CompiledCatalogue,
  CompiledAgentPrices,
  CompiledMonthPrices,
} from './compile.js';
export { rate, type RateInput, type RatingAccount, type RatingUsage, type BillLine, type RatingResult, type TariffInput, type AgentPricesInput, type Quantity } from './rate.js';
export { roundedPowerFactor } from './power-factor.js';
export { checkRatingInput, derivedStandard, MAX_QUANTITY } from './rating-input.js';
export { checkQuoteShape } from './quote-input.js';
export { presentBillLines, presentLine, recomputedFen, lineKind, LINE_KINDS, type BillLinesView, type PresentedLine, type LineKind, type LineInput } from './bill-lines.js';
export { PF_TABLES_1983 } from './pf-tables.js';
export { GANSU_CODES, GANSU_TARIFF_VERSIONS, GANSU_AGENT_PRICE_TABLES, GANSU_TOU_2024 } from './gansu-defaults.js';
