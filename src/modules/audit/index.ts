export { insertAudit, insertAudits, type AuditEntry } from './audit.repository.js';
export { auditRoutes } from './audit.routes.js';
