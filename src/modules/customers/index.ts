export { customersRoutes } from './customers.routes.js';
export { accountInScope } from './use-cases/guards.js';
export { accountsInScope, findAccountInScope, findAccountsInScope } from './customers.repository.js';
