import { z } from 'zod';

const ms = z.number().int().min(0).max(600_000);

/**
 * What a fault proxy does to the traffic it carries. Defaults fill in what the CLI and the control
 * endpoint leave out: `reset` after the request bytes, `slow-body` 1024 bytes every 200 ms,
 * `stall` 5 % of requests by 500 ms.
 */
export const faultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('reset'), after: z.enum(['accept', 'request']).default('request') }),
  z.object({ kind: z.literal('blackhole') }),
  z.object({
    kind: z.literal('slow-body'),
    bytes: z.number().int().min(1).max(1_048_576).default(1024),
    everyMs: ms.min(1).default(200),
  }),
  z.object({ kind: z.literal('503') }),
  z.object({
    kind: z.literal('stall'),
    probability: z.number().min(0).max(1).default(0.05),
    ms: ms.default(500),
  }),
]);

export type Fault = z.output<typeof faultSchema>;
export type FaultInput = z.input<typeof faultSchema>;
export type FaultKind = Fault['kind'];
export const faultKinds = faultSchema.options.map((option) => option.shape.kind.value);

export const latencySchema = z.object({
  rttMs: ms,
  jitterMs: ms.default(0),
});
export type Latency = z.output<typeof latencySchema>;

/** Accepts a full fault object or just its kind (`'blackhole'`); throws a ZodError otherwise. */
export function parseFault(input: unknown): Fault {
  return faultSchema.parse(typeof input === 'string' ? { kind: input } : input);
}

/**
 * Reads a fault from CLI words: `reset [accept|request]`, `blackhole`, `slow-body [bytes] [everyMs]`,
 * `503`, `stall [probability] [ms]`, `none`.
 */
export function faultFromWords(words: readonly string[]): Fault {
  const [kind, first, second] = words;
  const number = (word: string | undefined) => (word === undefined ? undefined : Number(word));
  switch (kind) {
    case 'reset':
      return parseFault({ kind, after: first });
    case 'slow-body':
      return parseFault({ kind, bytes: number(first), everyMs: number(second) });
    case 'stall':
      return parseFault({ kind, probability: number(first), ms: number(second) });
    default:
      return parseFault({ kind });
  }
}

/** One line for banners and `status`: `stall 5% +500ms`. */
export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'reset':
      return `reset after ${fault.after}`;
    case 'slow-body':
      return `slow-body ${fault.bytes} B/${fault.everyMs} ms`;
    case 'stall':
      return `stall ${+(fault.probability * 100).toFixed(2)}% +${fault.ms} ms`;
    default:
      return fault.kind;
  }
}
