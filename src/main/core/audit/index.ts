export {
  createAuditLog,
  auditKinds,
  type AuditLog,
  type AuditKind,
  type AuditDetails,
  type AuditEvent,
  type AuditEventInput,
  type AuditVerification,
} from './audit-log';
