import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type AudioStore, assertAudioKey, packStoredAudio, unpackStoredAudio } from './audio-store.ts';

/**
 * Clips as files under `dir/<first two hex chars>/<key>`, written to a temporary name and
 * renamed so a reader never sees half a file. Keys are checked, so no name leaves `dir`.
 */
export function createFilesystemAudioStore(options: { dir: string }): AudioStore {
  const root = path.resolve(options.dir);
  const fileFor = (key: string) => {
    assertAudioKey(key);
    return path.join(root, key.slice(0, 2), key);
  };
  return {
    kind: 'filesystem',
    async put(key, audio) {
      const file = fileFor(key);
      await mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${randomUUID()}.tmp`;
      await writeFile(temp, packStoredAudio(audio));
      await rename(temp, file);
    },
    async get(key) {
      try {
        return unpackStoredAudio(await readFile(fileFor(key)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async close() {},
  };
}
