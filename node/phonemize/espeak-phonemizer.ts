import { spawn } from 'node:child_process';
import { ApiError } from '../../shared/errors.ts';
import { sanitizeForEspeak } from '../engine/text-chunks.ts';
import { type Clause, clausesToSentences, type Phonemizer, splitClauses } from './phonemizer.ts';

export interface EspeakPhonemizerOptions {
  /** Path or name of the espeak-ng binary. Default `espeak-ng`. */
  bin?: string;
  /** Kill espeak-ng after this long. Default 10 s. */
  timeoutMs?: number;
}

/**
 * Phonemizes with the `espeak-ng` command (IPA output), which keeps espeak-ng's GPL code in its
 * own process. Stock espeak-ng drops clause punctuation that Piper's fork keeps, so clauses are
 * split here, sent one per line, and their terminators put back after phonemization.
 *
 * @example
 * const phonemizer = createEspeakPhonemizer({ bin: 'espeak-ng' });
 * await phonemizer.phonemize('Hello, world.', 'en-us'); // [['h','ə','l','ˈ','o','ʊ',',',' ','w',…,'.']]
 */
export function createEspeakPhonemizer(options: EspeakPhonemizerOptions = {}): Phonemizer {
  const bin = options.bin ?? 'espeak-ng';
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function phonemizeClauses(clauses: Clause[], voice: string): Promise<string[]> {
    // A line per clause; espeak-ng answers with a line per clause it reads.
    const input = `${clauses.map((c) => c.text).join('\n')}\n`;
    const lines = await runEspeak(bin, voice, input, timeoutMs);
    if (lines.length === clauses.length) return lines;
    // espeak-ng split a clause further (e.g. after "Dr."): phonemize clause by clause instead.
    return Promise.all(
      clauses.map(async (c) => (await runEspeak(bin, voice, `${c.text}\n`, timeoutMs)).join(' ')),
    );
  }

  return {
    async phonemize(text, voice) {
      const clauses = splitClauses(sanitizeForEspeak(text));
      if (clauses.length === 0) return [];
      const phonemes = await phonemizeClauses(clauses, voice);
      return clausesToSentences(
        clauses.map((c, i) => ({ phonemes: phonemes[i] ?? '', terminator: c.terminator })),
      );
    },
  };
}

function runEspeak(bin: string, voice: string, input: string, timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['-q', '--ipa', '-v', voice], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (cause) => {
      clearTimeout(timer);
      reject(new ApiError('internal_error', `espeak-ng could not start (${bin})`, { cause }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        const detail = Buffer.concat(err).toString('utf8').trim() || `exit ${code ?? signal}`;
        reject(new ApiError('internal_error', `espeak-ng failed: ${detail}`));
        return;
      }
      resolve(
        Buffer.concat(out)
          .toString('utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      );
    });
    child.stdin.on('error', () => {
      // EPIPE when espeak-ng exits early; the close handler reports the real failure.
    });
    child.stdin.end(input);
  });
}
