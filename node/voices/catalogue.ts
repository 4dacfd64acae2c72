import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { checkPiperConfig, type PiperConfig, piperConfigSchema } from './piper-config.ts';

export interface VoiceEntry {
  /** The file stem: `en_US-lessac-medium` for `en_US-lessac-medium.onnx`. */
  id: string;
  modelPath: string;
  configPath: string;
  config: PiperConfig;
  /** SHA-256 of the model file, part of every cache key so a replaced model never serves stale audio. */
  modelHash: string;
  builtin: boolean;
}

export interface SkippedVoice {
  file: string;
  reason: string;
}

export interface Catalogue {
  voices: VoiceEntry[];
  skipped: SkippedVoice[];
}

/**
 * Scans directories for Piper voices: every `*.onnx` with a sibling `*.onnx.json`. A broken or
 * mismatched pair is reported in `skipped` and never throws; the first directory wins when two
 * hold the same voice id.
 */
export async function scanVoices(dirs: readonly { dir: string; builtin: boolean }[]): Promise<Catalogue> {
  const voices: VoiceEntry[] = [];
  const skipped: SkippedVoice[] = [];
  const seen = new Set<string>();
  for (const { dir, builtin } of dirs) {
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch (cause) {
      skipped.push({ file: dir, reason: `voices directory unreadable: ${(cause as Error).message}` });
      continue;
    }
    const present = new Set(names);
    for (const name of names) {
      const file = path.join(dir, name);
      if (name.endsWith('.onnx.json')) {
        if (!present.has(name.slice(0, -'.json'.length)))
          skipped.push({ file, reason: 'config without a model' });
        continue;
      }
      if (!name.endsWith('.onnx')) continue;
      const id = name.slice(0, -'.onnx'.length);
      if (seen.has(id)) continue;
      const entry = await loadEntry(file, id, builtin, present.has(`${name}.json`));
      if ('reason' in entry) {
        skipped.push(entry);
        continue;
      }
      seen.add(id);
      voices.push(entry);
    }
  }
  return { voices, skipped };
}

async function loadEntry(
  modelPath: string,
  id: string,
  builtin: boolean,
  hasConfig: boolean,
): Promise<VoiceEntry | SkippedVoice> {
  const configPath = `${modelPath}.json`;
  if (!hasConfig) return { file: modelPath, reason: `model without ${path.basename(configPath)}` };
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(configPath, 'utf8'));
  } catch (cause) {
    return { file: configPath, reason: `config is not JSON: ${(cause as Error).message}` };
  }
  const parsed = piperConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { file: configPath, reason: `not a Piper config: ${first?.path.join('.')} ${first?.message}` };
  }
  const problem = checkPiperConfig(parsed.data);
  if (problem) return { file: configPath, reason: problem };
  return { id, modelPath, configPath, config: parsed.data, modelHash: await hashFile(modelPath), builtin };
}

function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
