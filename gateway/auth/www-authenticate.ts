/**
 * Builds a `WWW-Authenticate: Bearer …` challenge (RFC 6750 §3). Values are cut down to the
 * characters RFC 6750 allows inside its quoted strings, so no message can break the header.
 */
export function bearerChallenge(realm: string, params: Record<string, string> = {}): string {
  const parts = [`realm="${quotable(realm)}"`];
  for (const [name, value] of Object.entries(params)) parts.push(`${name}="${quotable(value)}"`);
  return `Bearer ${parts.join(', ')}`;
}

function quotable(value: string): string {
  return value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '?');
}
