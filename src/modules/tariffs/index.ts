/** The tariffs module's public surface: other modules import only this. */
export * from './domain/index.js';
export { tariffsRoutes } from './tariffs.routes.js';
export { registerTariffCommands } from './tariffs.commands.js';
export { seedTariffDefaults } from './use-cases/seed-defaults.js';
export { loadCatalogue, loadAgentPrices, loadTariffHistory } from './use-cases/load-published.js';
export { quote } from './use-cases/quote.js';
export { startImpact, type AccountCycleRow, type DraftRef, type ImpactMeasure, type ImpactResult, type TariffFlows } from './use-cases/measure-impact.js';
export { billLinesViewProperties, presentedLineSchema, refusals, validationProblemSchema, type QuoteInput, type QuoteResult } from './tariffs.types.js';
