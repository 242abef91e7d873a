// The workflow bundle's entry point: everything exported here is registered with the worker.
export { decisionWorkflow } from './decision';
