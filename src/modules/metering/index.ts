export { meteringRoutes } from './metering.routes.js';
export { withUsage, usageBetween } from './domain/usage.js';
export { streamLastCycleUsage, type LastCycleRow, type LastCycleScope } from './metering.repository.js';
