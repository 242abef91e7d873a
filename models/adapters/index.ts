import type { ModelKind } from '../../core/model-version';
import type { AdapterFactory } from '../adapter';
import { featureEmbedderFactory } from './feature-embedder';
import { httpJsonFactory } from './http-json';
import { kserveV2Factory } from './kserve-v2';
import { onnxFactory } from './onnx';
import { openaiChatFactory } from './openai-chat';
import { openaiEmbeddingsFactory } from './openai-embeddings';
import { tfjsFactory } from './tfjs';

/** Every adapter this build ships, by model kind. */
export const ADAPTER_FACTORIES: Record<ModelKind, AdapterFactory> = {
  onnx: onnxFactory,
  'openai-chat': openaiChatFactory,
  'openai-embeddings': openaiEmbeddingsFactory,
  tfjs: tfjsFactory,
  'http-json': httpJsonFactory,
  'kserve-v2': kserveV2Factory,
  'feature-embedder': featureEmbedderFactory,
};
