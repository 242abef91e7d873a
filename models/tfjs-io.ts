import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { io as tfio } from '@tensorflow/tfjs';
import { z } from 'zod';

/** The topology file's name, as tfjs-node's `file://` handler and the converter write it. */
export const MODEL_JSON = 'model.json';
/** The single weights shard this handler writes. */
export const WEIGHTS_BIN = 'weights.bin';

// Just what loading needs; the rest of the file is TF.js's business and passes through untouched.
const ModelJsonSchema = z
  .object({
    modelTopology: z.record(z.string(), z.unknown()),
    weightsManifest: z.array(z.object({ paths: z.array(z.string().min(1)), weights: z.array(z.unknown()) }).loose()),
  })
  .loose();

/**
 * Saves a model as a directory in the standard TF.js layout (`model.json` with a `weightsManifest`
 * pointing at `weights.bin`): pure `@tensorflow/tfjs` has no `file://` handler, and this layout is
 * what tfjs-node's `file://` and the browser's `tf.loadLayersModel(url)` read.
 */
export function fileSaveHandler(dir: string): io.IOHandler {
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('fileSaveHandler: binary (protobuf) topologies are not supported, only JSON');
      }
      const weightsManifest: io.WeightsManifestConfig = [
        { paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] },
      ];
      const { modelTopology, format, generatedBy, convertedBy, signature, userDefinedMetadata, trainingConfig } =
        artifacts;
      const modelJson = { modelTopology, format, generatedBy, convertedBy, signature, userDefinedMetadata };
      const weights = tfio.CompositeArrayBuffer.join(artifacts.weightData ?? []);
      await mkdir(dir, { recursive: true });
      // JSON.stringify drops the undefined optional keys, so the file holds only what the model has.
      await writeFile(join(dir, MODEL_JSON), JSON.stringify({ ...modelJson, weightsManifest, trainingConfig }));
      await writeFile(join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      return { modelArtifactsInfo: tfio.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/**
 * Loads a model directory written by {@link fileSaveHandler}, tfjs-node or the TF.js converter
 * (Layers or Graph format; any number of weight groups and shards). Shard paths must stay inside `dir`.
 */
export function fileLoadHandler(dir: string): io.IOHandler {
  return {
    async load(): Promise<io.ModelArtifacts> {
      const path = join(dir, MODEL_JSON);
      const parsed = ModelJsonSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
      if (!parsed.success) throw new Error(`${path} is not a TF.js model.json: ${z.prettifyError(parsed.error)}`);
      return tfio.getModelArtifactsForJSON(parsed.data as unknown as io.ModelJSON, async (manifest) => {
        const shards = await Promise.all(manifest.flatMap((group) => group.paths.map((p) => readShard(dir, p))));
        return [tfio.getWeightSpecs(manifest), tfio.CompositeArrayBuffer.join(shards)];
      });
    },
  };
}

async function readShard(dir: string, path: string): Promise<ArrayBuffer> {
  const file = resolve(dir, path);
  const rel = relative(resolve(dir), file);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`weights path '${path}' leaves the model directory`);
  const buf = await readFile(file);
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
}
