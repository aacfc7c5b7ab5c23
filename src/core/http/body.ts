// Reading an answer without holding an unbounded one in memory (issue 13 item 14): a 600 MB body was
// buffered whole, and read again on every retry.

/**
 * Reads a body up to `limit` bytes. A declared Content-Length over the limit is refused before
 * reading; otherwise the stream is cut as soon as it passes the limit, so memory stays bounded.
 */
export async function readLimited(body: AsyncIterable<Buffer> & { destroy(): unknown }, limit: number, contentLength: string | undefined): Promise<{ text: string; tooLarge: boolean }> {
  const declared = contentLength === undefined ? NaN : Number(contentLength);
  if (Number.isFinite(declared) && declared > limit) {
    body.destroy();
    return { text: '', tooLarge: true };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      return { text: '', tooLarge: true };
    }
    chunks.push(chunk);
  }
  // TextDecoder drops a byte-order mark, as undici's body.text() does.
  return { text: utf8.decode(Buffer.concat(chunks, size)), tooLarge: false };
}

const utf8 = new TextDecoder('utf-8');
