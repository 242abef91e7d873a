/**
 * Every error the admin services raise, in one place for the ways in (CLI, API) to map to an exit
 * line or a problem body. Each names what was wrong and, where it helps, what exists instead.
 */
export { DatabaseUnreachableError } from '../stores/db';
export { PipelineNotFoundError } from '../stores/pipeline-store';
export { RuleSetNotFoundError } from '../stores/rules-store';
export { ModelDeprecatedError, ModelNotFoundError, RegistryConflictError } from '../stores/registry-errors';
export { BacktestEvidenceError } from './evidence';
export { PipelineInvalidError } from './pipelines';
export { LiteralSecretError, RegistrationRejectedError } from './registration';
export { RuleSetInvalidError } from './rules';
