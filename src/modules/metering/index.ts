export { meteringRoutes } from './metering.routes.js';
export { withUsage, usageBetween } from './domain/usage.js';
