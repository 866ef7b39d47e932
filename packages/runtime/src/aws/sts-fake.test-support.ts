/**
 * A loopback AWS STS for tests (no STS emulator runs here): the AWS Query protocol over HTTP,
 * AssumeRole and GetCallerIdentity. It refuses a request without a SigV4 `Authorization`
 * header, records what each call asked for, and issues credentials with the expiry a test picks.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface StsCall {
  action: string;
  roleArn?: string;
  roleSessionName?: string;
  externalId?: string;
  durationSeconds?: string;
  /** The access key id of the SigV4 credential that signed the request. */
  signedBy?: string;
  region?: string;
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface FakeSts {
  endpoint: string;
  calls: StsCall[];
  issued: IssuedCredentials[];
  /** How long issued credentials last (default 1 hour), from the fake's clock. */
  lifetimeMs: number;
  /** The fake's clock (default Date.now). */
  now: () => number;
  /** Milliseconds each answer waits (to make concurrent callers overlap). */
  delayMs: number;
  /** When set, AssumeRole answers this error. */
  failWith: { status: number; code: string; message: string } | undefined;
  /** Called with each issued set (e.g. to register the key with s3rver). */
  onIssue: ((credentials: IssuedCredentials) => void) | undefined;
  account: string;
  callerArn: string;
  close(): Promise<void>;
}

const XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";

const escapeXml = (s: string) =>
  s.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c] ?? c);

const token = (prefix: string, bytes: number) =>
  `${prefix}${randomBytes(bytes)
    .toString("base64")
    .replace(/[^A-Za-z0-9]/g, "")
    .toUpperCase()}`;

export async function startFakeSts(): Promise<FakeSts> {
  const fake: FakeSts = {
    endpoint: "",
    calls: [],
    issued: [],
    lifetimeMs: 3600_000,
    now: () => Date.now(),
    delayMs: 0,
    failWith: undefined,
    onIssue: undefined,
    account: "999988887777",
    callerArn: "arn:aws:sts::999988887777:assumed-role/coffer-host/i-0abc",
    close: async () => {},
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      const reply = (status: number, body: string) => {
        setTimeout(() => {
          response.writeHead(status, { "content-type": "text/xml" });
          response.end(body);
        }, fake.delayMs);
      };
      const error = (status: number, code: string, message: string) =>
        reply(
          status,
          `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
        );
      const authorization = request.headers.authorization ?? "";
      const signed =
        /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/sts\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/.exec(
          authorization,
        );
      const action = form.get("Action") ?? "";
      const call: StsCall = {
        action,
        ...(form.get("RoleArn") !== null ? { roleArn: form.get("RoleArn") as string } : {}),
        ...(form.get("RoleSessionName") !== null ? { roleSessionName: form.get("RoleSessionName") as string } : {}),
        ...(form.get("ExternalId") !== null ? { externalId: form.get("ExternalId") as string } : {}),
        ...(form.get("DurationSeconds") !== null ? { durationSeconds: form.get("DurationSeconds") as string } : {}),
        ...(signed ? { signedBy: signed[1] as string, region: signed[2] as string } : {}),
      };
      fake.calls.push(call);
      if (!signed) return error(403, "MissingAuthenticationToken", "Request is missing a SigV4 Authorization header.");
      if (action === "GetCallerIdentity") {
        return reply(
          200,
          `<GetCallerIdentityResponse xmlns="${XMLNS}"><GetCallerIdentityResult><Arn>${fake.callerArn}</Arn><UserId>AROAFAKE:i-0abc</UserId><Account>${fake.account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        );
      }
      if (action !== "AssumeRole") return error(400, "InvalidAction", `Unknown action ${action}.`);
      if (fake.failWith) return error(fake.failWith.status, fake.failWith.code, fake.failWith.message);
      const issued: IssuedCredentials = {
        accessKeyId: token("ASIA", 12).slice(0, 20),
        secretAccessKey: randomBytes(30).toString("base64"),
        sessionToken: `FwoG${randomBytes(48).toString("base64")}`,
        expiration: new Date(fake.now() + fake.lifetimeMs),
      };
      fake.issued.push(issued);
      fake.onIssue?.(issued);
      const session = call.roleSessionName ?? "session";
      const roleName = (call.roleArn ?? "role/r").split("/").at(-1);
      reply(
        200,
        `<AssumeRoleResponse xmlns="${XMLNS}"><AssumeRoleResult><Credentials><AccessKeyId>${issued.accessKeyId}</AccessKeyId><SecretAccessKey>${escapeXml(issued.secretAccessKey)}</SecretAccessKey><SessionToken>${escapeXml(issued.sessionToken)}</SessionToken><Expiration>${issued.expiration.toISOString()}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAFAKE:${escapeXml(session)}</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/${escapeXml(roleName ?? "r")}/${escapeXml(session)}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

/** The host identity tests give Coffer's STS client (stands in for an instance role). */
export const HOST_TEST_CREDENTIALS = {
  accessKeyId: "AKIAHOSTTESTKEY00001",
  secretAccessKey: "host-test-secret-not-for-actions-0001",
} as const;
