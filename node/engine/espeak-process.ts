import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import os from 'node:os';
import { ApiError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logger.ts';
import { type Clause, clausesToSentences, type Phonemizer, splitClauses } from '../phonemize/phonemizer.ts';
import { sanitizeForEspeak } from './text-chunks.ts';

export interface PersistentEspeakOptions {
  /** Path or name of the espeak-ng binary. Default `espeak-ng`. */
  bin?: string;
  /** Processes kept per espeak voice; each phonemizes one text at a time. Default 1. */
  processes?: number;
  /**
   * Nice value of every process but the last (when there are several): those serve tenants with
   * a backlog, so under a flood the CPU goes first to the last one, which serves everyone else.
   * Only raising niceness is allowed to unprivileged processes, so it is set once at spawn. Default 10.
   */
  bulkNice?: number;
  /** A text not answered in this long kills its process. Default 10 s. */
  timeoutMs?: number;
  logger?: Logger;
}

export interface PersistentEspeak extends Phonemizer {
  /** Phonemizes on process `slot` (0 … processes − 1) of the voice's pool. */
  phonemizeOn(slot: number, text: string, voice: string): Promise<string[][]>;
  /** Starts every process of a voice now, so the first requests do not pay espeak-ng's start-up. */
  warm(voice: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Phonemizes with long-lived `espeak-ng -q --ipa` processes instead of one process per
 * request: starting espeak-ng costs about 11 ms of CPU, a line about 0.3 ms plus 0.04 ms per
 * character. Without `--stdin` espeak-ng reads and answers line by line, so a text is written
 * as one line per clause (as `createEspeakPhonemizer` does) between two copies of a random nonce
 * word: the nonce's phonemes, read back first, mark where this text's answer ends. The nonce is
 * fresh per text, so no user text can forge the boundary. When espeak-ng splits a clause into
 * several lines, each clause is phonemized alone with its own nonce, as the spawning phonemizer
 * does.
 */
export function createPersistentEspeak(options: PersistentEspeakOptions = {}): PersistentEspeak {
  const bin = options.bin ?? 'espeak-ng';
  const perVoice = Math.max(1, options.processes ?? 1);
  const bulkNice = options.bulkNice ?? 10;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pools = new Map<string, EspeakProcess[]>();

  function pool(voice: string): EspeakProcess[] {
    let found = pools.get(voice);
    if (!found) {
      found = Array.from({ length: perVoice }, (_, i) =>
        createEspeakProcess({
          bin,
          voice,
          timeoutMs,
          nice: perVoice > 1 && i < perVoice - 1 ? bulkNice : 0,
          ...(options.logger ? { logger: options.logger } : {}),
        }),
      );
      pools.set(voice, found);
    }
    return found;
  }

  async function phonemizeWith(espeak: EspeakProcess, text: string) {
    const clauses = splitClauses(sanitizeForEspeak(text));
    if (clauses.length === 0) return [];
    let lines = await espeak.ask(clauses.map((c) => c.text));
    if (lines.length !== clauses.length) {
      lines = [];
      for (const clause of clauses) lines.push((await espeak.ask([clause.text])).join(' '));
    }
    return clausesToSentences(
      clauses.map((c: Clause, i) => ({ phonemes: lines[i] ?? '', terminator: c.terminator })),
    );
  }

  return {
    phonemize(text, voice) {
      // Without a slot: the process with the fewest texts waiting.
      const processes = pool(voice);
      const least = processes.reduce((a, b) => (b.queued() < a.queued() ? b : a));
      return phonemizeWith(least, text);
    },
    phonemizeOn(slot, text, voice) {
      const processes = pool(voice);
      return phonemizeWith(processes[Math.abs(slot) % processes.length]!, text);
    },
    async warm(voice) {
      await Promise.all(pool(voice).map((p) => p.ask(['ready'])));
    },
    async close() {
      for (const processes of pools.values()) for (const p of processes) p.close();
      pools.clear();
    },
  };
}

interface EspeakProcess {
  /** Asks one text (lines) at a time; later asks wait their turn. */
  ask(texts: readonly string[]): Promise<string[]>;
  /** Asks waiting or running. */
  queued(): number;
  close(): void;
}

const consonants = 'bdfgklmnprstvz';
const vowels = 'aeiou';

/** A pronounceable random word (14·5 choices per syllable, 6 syllables: about 10^11 words). */
function nonceWord(): string {
  let word = '';
  for (let i = 0; i < 6; i++)
    word += consonants[randomInt(consonants.length)]! + vowels[randomInt(vowels.length)]!;
  return word;
}

interface EspeakProcessOptions {
  bin: string;
  voice: string;
  timeoutMs: number;
  nice: number;
  logger?: Logger;
}

/** One espeak-ng process answering texts one at a time; it respawns itself after a failure. */
function createEspeakProcess(options: EspeakProcessOptions): EspeakProcess {
  const { bin, voice, timeoutMs, logger } = options;
  let turn: Promise<unknown> = Promise.resolve();
  let waiting = 0;
  let child: ChildProcessWithoutNullStreams | undefined;
  let buffered = '';
  let lines: string[] = [];
  let onLine: (() => void) | undefined;
  let failure: Error | undefined;

  function ensure(): ChildProcessWithoutNullStreams {
    if (child && child.exitCode === null && !child.killed) return child;
    failure = undefined;
    buffered = '';
    lines = [];
    const proc = spawn(bin, ['-q', '--ipa', '-v', voice], { stdio: ['pipe', 'pipe', 'pipe'] });
    if (options.nice !== 0 && proc.pid !== undefined) {
      try {
        os.setPriority(proc.pid, options.nice);
      } catch (err) {
        logger?.debug({ err }, 'espeak-ng priority unchanged');
      }
    }
    const stderr: string[] = [];
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    // Handlers of a process that has been replaced must not touch the new one's state.
    proc.stdout.on('data', (chunk: string) => {
      if (child !== proc) return;
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) {
        const line = part.trim();
        if (line) lines.push(line);
      }
      onLine?.();
    });
    proc.stderr.on('data', (chunk: string) => stderr.push(chunk));
    proc.on('error', (cause) => {
      if (child !== proc) return;
      failure = new ApiError('internal_error', `espeak-ng could not start (${bin})`, { cause });
      onLine?.();
    });
    proc.on('close', (code, signal) => {
      if (child !== proc) return;
      failure ??= new ApiError(
        'internal_error',
        `espeak-ng failed: ${stderr.join('').trim() || `exit ${code ?? signal}`}`,
      );
      child = undefined;
      onLine?.();
    });
    proc.stdin.on('error', () => {
      // EPIPE when espeak-ng exits early; the close handler reports the real failure.
    });
    child = proc;
    return proc;
  }

  /** Resolves with the next line, waiting for espeak-ng when none is buffered. */
  function nextLine(deadline: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const line = lines.shift();
        if (line !== undefined) return done(() => resolve(line));
        if (failure) return done(() => reject(failure));
      };
      const timer = setTimeout(
        () =>
          done(() => reject(new ApiError('internal_error', `espeak-ng did not answer in ${timeoutMs} ms`))),
        Math.max(0, deadline - performance.now()),
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        onLine = undefined;
        settle();
      };
      onLine = check;
      check();
    });
  }

  async function askNow(texts: readonly string[]): Promise<string[]> {
    const proc = ensure();
    if (lines.length > 0) {
      // Output nobody asked for means the stream lost its framing: start clean.
      logger?.error({ voice, stray: lines.length }, 'espeak-ng stream out of step; restarting it');
      proc.kill('SIGKILL');
      return askNow(texts);
    }
    const nonce = nonceWord();
    const deadline = performance.now() + timeoutMs;
    proc.stdin.write(`${nonce}\n${texts.join('\n')}\n${nonce}\n`);
    try {
      const marker = await nextLine(deadline);
      const answer: string[] = [];
      for (let line = await nextLine(deadline); line !== marker; line = await nextLine(deadline))
        answer.push(line);
      return answer;
    } catch (err) {
      proc.kill('SIGKILL');
      throw err;
    }
  }

  return {
    ask(texts) {
      waiting++;
      const answer = turn.then(() => askNow(texts));
      turn = answer.catch(() => {});
      return answer.finally(() => {
        waiting--;
      });
    },
    queued: () => waiting,
    close() {
      child?.stdin.end();
      child?.kill();
      child = undefined;
    },
  };
}
