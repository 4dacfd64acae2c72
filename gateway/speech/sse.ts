import { ApiError, problemBody } from '../../shared/errors.ts';

/**
 * OpenAI's speech SSE framing: a `speech.audio.delta` event per chunk (base64 audio), then one
 * `speech.audio.done` with usage. A failure after the stream began becomes an `error` event,
 * which an SSE client can tell from a normal end.
 */
export async function* toSpeechEvents(
  chunks: AsyncIterable<Buffer>,
  usage: { characters: number },
): AsyncGenerator<Buffer> {
  const event = (data: unknown) => Buffer.from(`data: ${JSON.stringify(data)}\n\n`);
  try {
    for await (const chunk of chunks)
      yield event({ type: 'speech.audio.delta', audio: chunk.toString('base64') });
    yield event({
      type: 'speech.audio.done',
      usage: { input_tokens: usage.characters, output_tokens: 0, total_tokens: usage.characters },
    });
  } catch (err) {
    const error =
      err instanceof ApiError
        ? err
        : new ApiError('node_unavailable', 'synthesis failed mid-stream', { cause: err });
    yield event({ type: 'error', error: problemBody(error).error });
  }
}
