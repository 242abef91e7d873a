// The workflow bundle's entry point: everything exported here is registered with the worker.
export { backtestWorkflow } from './backtest';
export { batchWorkflow } from './batch';
export { codePipelineWorkflow } from './code-pipeline';
export { decisionWorkflow } from './decision';
export { feedbackWorkflow } from './feedback';
export { floorWorkflow } from './floor';
export { pipelineWorkflow } from './pipeline-workflow';
