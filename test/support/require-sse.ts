/**
 * Fails fast where the SSE transport is not mounted (before the SSE branch is merged), so
 * that its specs fail at once with a clear message instead of timing out test by test.
 */
export async function requireSseTransport(channelsUrl: string): Promise<void> {
  const response = await fetch(`${channelsUrl}/sse`, { headers: { Accept: 'text/event-stream' } });
  await response.body?.cancel();
  if (response.status === 404)
    throw new Error(`No SSE transport at ${channelsUrl}/sse (HTTP 404): these specs need it.`);
}
