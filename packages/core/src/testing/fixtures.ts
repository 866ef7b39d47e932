// Keys and certificates generated at test time (never committed): node:crypto for keys, the
// openssl CLI for certificates.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CertificatePair {
  certificate: string;
  privateKey: string;
}

export function ed25519PrivateKeyPem(): string {
  return generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

/** A self-signed EC P-256 certificate and its key, valid for `days` days. */
export function selfSignedCertificate(commonName: string, days = 30): CertificatePair {
  const dir = mkdtempSync(join(tmpdir(), "coffer-cert-"));
  try {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    writeFileSync(join(dir, "key.pem"), keyPem);
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-new",
        "-key",
        join(dir, "key.pem"),
        "-subj",
        `/CN=${commonName}`,
        "-days",
        String(days),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "pipe" },
    );
    return { certificate: readFileSync(join(dir, "cert.pem"), "utf8"), privateKey: keyPem };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A recognisable value that tests plant and then hunt for in every output. */
export function canary(label: string): string {
  return `CANARY_${label}_${Math.random().toString(36).slice(2, 12)}_zq`;
}
