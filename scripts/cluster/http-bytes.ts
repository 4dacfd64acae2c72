/**
 * Just enough HTTP/1.1 framing for the fault proxy, which sees bytes, not messages. It assumes
 * what the gateway sends: no pipelining, and a request line at the start of the first chunk of
 * each request.
 */

const requestLine = /^(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) /;
const headTerminator = Buffer.from('\r\n\r\n');

/** True when `chunk` opens with an HTTP request line. */
export function startsRequest(chunk: Buffer): boolean {
  return requestLine.test(chunk.subarray(0, 8).toString('latin1'));
}

/** Offset just past the blank line that ends a message head, or -1 when `chunk` holds none. */
export function headEnd(chunk: Buffer): number {
  const at = chunk.indexOf(headTerminator);
  return at === -1 ? -1 : at + headTerminator.length;
}

const problem = {
  type: 'about:blank',
  title: 'Service Unavailable',
  status: 503,
  code: 'node_unavailable',
  detail: 'injected by fault proxy',
  error: { message: 'injected by fault proxy', type: 'server_error', code: 'node_unavailable', param: null },
};

/** The whole response the `503` fault answers with, in the problem+json shape nodes use. */
export const serviceUnavailableResponse: Buffer = (() => {
  const body = Buffer.from(JSON.stringify(problem));
  const head = [
    'HTTP/1.1 503 Service Unavailable',
    'content-type: application/problem+json',
    `content-length: ${body.length}`,
    'connection: close',
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
})();
