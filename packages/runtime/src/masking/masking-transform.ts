import { Transform, type TransformCallback } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import type { Masker } from "./masker.types.js";

/**
 * A Transform for a child process's stdout or stderr: bytes (or strings) in, masked UTF-8 out.
 * A character split across two Buffers is decoded whole, and a value split across chunks is
 * masked as if it had arrived in one.
 */
export function createMaskingTransform(masker: Masker): Transform {
  const decoder = new StringDecoder("utf8");
  const stream = masker.createStream();
  const push = (self: Transform, text: string) => {
    if (text.length > 0) self.push(Buffer.from(text, "utf8"));
  };
  return new Transform({
    transform(this: Transform, chunk: Buffer | string, encoding: BufferEncoding, done: TransformCallback) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk;
      push(this, stream.write(decoder.write(bytes)));
      done();
    },
    flush(this: Transform, done: TransformCallback) {
      push(this, stream.write(decoder.end()) + stream.end());
      done();
    },
  });
}
