import { DecisionAuditSchema } from '../../core/audit';

/** The decision log's row (core/audit.ts), named `DecisionAudit` in the OpenAPI document. */
export const AuditSchema = DecisionAuditSchema.meta({ id: 'DecisionAudit' });
