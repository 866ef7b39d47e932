/**
 * Test fixtures for secret-type tests, generated at test time (nothing committed): keys with
 * node:crypto, OpenSSH keys with sshpk / ssh-keygen, certificates with the openssl CLI.
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sshpk from "sshpk";

export type Algorithm = "rsa" | "p256" | "p384" | "ed25519";

const pairs = new Map<Algorithm, { privateKey: KeyObject; publicKey: KeyObject }>();

export function keyPair(algorithm: Algorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  let pair = pairs.get(algorithm);
  if (pair === undefined) {
    pair =
      algorithm === "rsa"
        ? generateKeyPairSync("rsa", { modulusLength: 2048 })
        : algorithm === "ed25519"
          ? generateKeyPairSync("ed25519")
          : generateKeyPairSync("ec", { namedCurve: algorithm === "p256" ? "P-256" : "P-384" });
    pairs.set(algorithm, pair);
  }
  return pair;
}

export function pkcs8(algorithm: Algorithm): string {
  return keyPair(algorithm).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
}

export function pkcs1Rsa(): string {
  return keyPair("rsa").privateKey.export({ type: "pkcs1", format: "pem" }) as string;
}

export function sec1(algorithm: "p256" | "p384"): string {
  return keyPair(algorithm).privateKey.export({ type: "sec1", format: "pem" }) as string;
}

export function encryptedPkcs8(algorithm: Algorithm): string {
  return keyPair(algorithm).privateKey.export({
    type: "pkcs8",
    format: "pem",
    cipher: "aes-256-cbc",
    passphrase: "correct horse",
  }) as string;
}

/** PKCS#1 with RFC 1421 headers `Proc-Type: 4,ENCRYPTED`. */
export function encryptedPkcs1Rsa(): string {
  return keyPair("rsa").privateKey.export({
    type: "pkcs1",
    format: "pem",
    cipher: "aes-256-cbc",
    passphrase: "correct horse",
  }) as string;
}

export function openssh(algorithm: Algorithm): string {
  return sshpk.parsePrivateKey(pkcs8(algorithm), "pem").toString("openssh");
}

/** sshpk's SHA256 fingerprint of the public key of a fixture key. */
export function sshpkFingerprint(algorithm: Algorithm): string {
  return sshpk.parsePrivateKey(pkcs8(algorithm), "pem").fingerprint("sha256").toString();
}

let dir: string | null = null;

export function tempDir(): string {
  if (dir === null) {
    dir = mkdtempSync(join(tmpdir(), "coffer-secret-types-"));
    process.on("exit", () => {
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
    });
  }
  return dir;
}

let counter = 0;
function fresh(name: string): string {
  counter++;
  return join(tempDir(), `${name}-${counter}`);
}

/** An OpenSSH key made by ssh-keygen; returns the private key text and `ssh-keygen -lf`'s fingerprint. */
export function sshKeygen(
  type: "ed25519" | "ecdsa" | "rsa",
  passphrase = "",
  bits?: number,
): { text: string; fingerprint: string } {
  const file = fresh(`ssh-${type}`);
  const args = ["-q", "-t", type, "-N", passphrase, "-C", "test", "-f", file];
  const size = bits ?? (type === "rsa" ? 2048 : undefined);
  if (size !== undefined) args.splice(3, 0, "-b", `${size}`);
  execFileSync("ssh-keygen", args, { stdio: "pipe" });
  const text = readFileSync(file, "utf8");
  const fingerprint = passphrase === "" ? (sshKeygenFingerprint(file) ?? "") : "";
  return { text, fingerprint };
}

/** `ssh-keygen -lf <file>`'s SHA256 fingerprint of a key file. */
export function sshKeygenFingerprint(file: string): string | undefined {
  const out = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", file], { encoding: "utf8", stdio: "pipe" });
  return out.split(" ")[1];
}

export function writeTemp(name: string, text: string): string {
  const file = fresh(name);
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: "pipe", cwd: tempDir() });
}

export interface CertAndKey {
  cert: string;
  key: string;
}

/** A self-signed certificate for `keyPem` (written by openssl from our key). */
export function selfSigned(keyPem: string, cn: string, days: number): string {
  const keyFile = writeTemp("key", keyPem);
  const certFile = fresh("cert");
  openssl([
    "req",
    "-x509",
    "-new",
    "-key",
    keyFile,
    "-out",
    certFile,
    "-subj",
    `/O=Coffer Test/CN=${cn}`,
    "-days",
    `${days}`,
  ]);
  return readFileSync(certFile, "utf8");
}

/** A CA (P-256) and a leaf (RSA) signed by it; the leaf expires before the CA. */
export function caAndLeaf(caDays: number, leafDays: number): { ca: CertAndKey; leaf: CertAndKey } {
  const caKey = fresh("ca-key");
  const caCert = fresh("ca-cert");
  openssl([
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    caKey,
    "-out",
    caCert,
    "-subj",
    "/CN=Coffer Test CA",
    "-days",
    `${caDays}`,
  ]);
  const leafKey = writeTemp("leaf-key", pkcs8("rsa"));
  const csr = fresh("leaf-csr");
  const leafCert = fresh("leaf-cert");
  openssl(["req", "-new", "-key", leafKey, "-out", csr, "-subj", "/CN=client.coffer.test"]);
  openssl([
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    caCert,
    "-CAkey",
    caKey,
    "-set_serial",
    "4660",
    "-out",
    leafCert,
    "-days",
    `${leafDays}`,
  ]);
  return {
    ca: { cert: readFileSync(caCert, "utf8"), key: readFileSync(caKey, "utf8") },
    leaf: { cert: readFileSync(leafCert, "utf8"), key: readFileSync(leafKey, "utf8") },
  };
}

/** `openssl x509 -noout -enddate` of a certificate, as a Date. */
export function opensslNotAfter(cert: string): Date {
  const file = writeTemp("cert", cert);
  const out = execFileSync("openssl", ["x509", "-noout", "-enddate", "-in", file], { encoding: "utf8" });
  return new Date(out.trim().replace(/^notAfter=/, ""));
}
