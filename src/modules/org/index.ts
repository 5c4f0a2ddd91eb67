export * from './domain/roles.js';
export * from './domain/scope.js';
export { orgRoutes } from './org.routes.js';
export { ensureAdmin } from './use-cases/bootstrap.js';
export { findCompany as findCompanyUnit } from './org.repository.js';
export { login } from './use-cases/login.js';
export { authenticate, sessionAuthenticator } from './use-cases/authenticate.js';
export { hashPassword } from '../../shared/password.js';
