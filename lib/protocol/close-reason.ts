/** The most UTF-8 bytes a WebSocket close reason may have (RFC 6455: 125 less the code). */
const MAX_REASON_BYTES = 123;

/**
 * A close reason cut to fit a close frame, by bytes (not characters: `ws` throws on a reason
 * over 123 bytes, and a message with non-ASCII text can pass that in fewer characters).
 * @example closeReason('é'.repeat(100)) // 55 characters, 113 bytes, ending in '...'
 */
export function closeReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_REASON_BYTES) return reason;
  // A character cut in half decodes to U+FFFD (3 bytes): 110 + 3 + '...' stays under the limit.
  return (
    Buffer.from(reason)
      .subarray(0, 110)
      .toString()
      .replace(/\uFFFD$/, '') + '...'
  );
}
