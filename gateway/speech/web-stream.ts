/**
 * An async iterable of bytes as a web `ReadableStream`, pulled as the client reads. An error
 * errors the stream, which makes the HTTP server abort the response: a client sees a broken
 * transfer, never a short body that looks complete. `onEnd` runs once, however it ends.
 */
export function toWebStream(
  chunks: AsyncIterable<Buffer>,
  onEnd: (error?: unknown) => void,
): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  let ended = false;
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    onEnd(error);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) {
          controller.close();
          end();
        } else {
          controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
        }
      } catch (error) {
        controller.error(error);
        end(error);
      }
    },
    async cancel(reason) {
      end(reason ?? new Error('client went away'));
      await iterator.return?.();
    },
  });
}
