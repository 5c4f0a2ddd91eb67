export { insertAudit, type AuditEntry } from './audit.repository.js';
export { auditRoutes } from './audit.routes.js';
