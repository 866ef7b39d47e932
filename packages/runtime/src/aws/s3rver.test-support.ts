/** An in-process S3 (npm `s3rver`) on a loopback port, in a scratch folder; it knows only the keys registered. */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

export interface TestS3 {
  endpoint: string;
  /** Lets a key pair (e.g. credentials the fake STS issued) sign requests. */
  registerKey(accessKeyId: string, secretAccessKey: string): void;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

export async function startTestS3(buckets: string[]): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), "coffer-s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: process.env.S3RVER_DEBUG !== "1",
    directory,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const address = (await server.run()) as unknown as { port: number };
  const { DUMMY_ACCOUNT } = require("s3rver/lib/models/account.js") as {
    DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void; revokeAccessKey?(id: string): void };
  };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    registerKey: (id, secret) => DUMMY_ACCOUNT.createKeyPair(id, secret),
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
