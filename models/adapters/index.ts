import type { ModelKind } from '../../core/model-version';
import type { AdapterFactory } from '../adapter';

/**
 * Every adapter this build ships, by model kind. Each is loaded on first use: onnxruntime, TF.js and
 * LangChain cost seconds of CPU to import, and a process that only reads the registry (`arbiter
 * models list`, the API) or serves one kind should not pay for the others.
 */
export const ADAPTER_FACTORIES: Record<ModelKind, AdapterFactory> = {
  onnx: async (v, d) => (await import('./onnx')).onnxFactory(v, d),
  'openai-chat': async (v, d) => (await import('./openai-chat')).openaiChatFactory(v, d),
  'openai-embeddings': async (v, d) => (await import('./openai-embeddings')).openaiEmbeddingsFactory(v, d),
  tfjs: async (v, d) => (await import('./tfjs')).tfjsFactory(v, d),
  'http-json': async (v, d) => (await import('./http-json')).httpJsonFactory(v, d),
  'kserve-v2': async (v, d) => (await import('./kserve-v2')).kserveV2Factory(v, d),
  'feature-embedder': async (v, d) => (await import('./feature-embedder')).featureEmbedderFactory(v, d),
  linear: async (v, d) => (await import('./linear')).linearFactory(v, d),
};
