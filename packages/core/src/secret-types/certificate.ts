/**
 * Certificate parsing for `mtls` (TLS_CERTIFICATE) and `ca_cert` (CA_CERTIFICATE) values: one or
 * more PEM `CERTIFICATE` blocks, each parsed by node:crypto's X509Certificate. Text between blocks
 * (comments and titles in bundles such as curl's cacert.pem) is allowed and kept. Errors name the
 * key and the certificate's position, never its content.
 */
import { X509Certificate } from "node:crypto";
import { CofferError } from "../errors/coffer-error.js";
import { describePemLabel, isPrivateKeyLabel, splitPem } from "./pem.js";

/** Public facts about one certificate, kept as metadata (certificates are public documents). */
export interface CertificateFacts {
  /** The key holding the certificate: `TLS_CERTIFICATE` or `CA_CERTIFICATE`. */
  key: string;
  /** 0-based position of the certificate within that value. */
  index: number;
  /** Distinguished name, attributes in certificate order joined by ", " (e.g. `C=DE, O=Acme, CN=api.acme.test`). */
  subject: string;
  /** Distinguished name of the issuer, same form as `subject`. */
  issuer: string;
  /** Serial number, uppercase hex as printed by `openssl x509 -serial`. */
  serialNumber: string;
  /** ISO 8601 timestamps (UTC) of the validity period. */
  notBefore: string;
  notAfter: string;
  /** SHA-256 fingerprint of the DER certificate, colon-separated uppercase hex (as `openssl x509 -fingerprint -sha256`). */
  fingerprint256: string;
  /** True when the certificate is a CA (basicConstraints CA:TRUE). */
  isCA: boolean;
}

export interface CertificateContext {
  secretType: "mtls" | "ca_cert";
  /** `TLS_CERTIFICATE` or `CA_CERTIFICATE`. */
  key: string;
  /** Tracecat's sentence opening every format error. */
  formatMessage: string;
}

export interface ParsedCertificates {
  certificates: X509Certificate[];
  facts: CertificateFacts[];
}

function fail(
  ctx: CertificateContext,
  reason: string,
  explanation: string,
  extra: Record<string, unknown> = {},
): never {
  throw new CofferError("invalid_certificate", `${ctx.formatMessage} ${explanation}`, {
    status: 422,
    details: { type: ctx.secretType, key: ctx.key, reason, ...extra },
  });
}

const PEM_HINT =
  "paste PEM certificates, each from '-----BEGIN CERTIFICATE-----' to '-----END CERTIFICATE-----' (convert a DER file with `openssl x509 -inform der -in cert.der -out cert.pem`)";

function oneLineName(name: string): string {
  return name
    .split("\n")
    .filter((part) => part !== "")
    .join(", ");
}

/** Parses a normalised certificate value; throws `invalid_certificate` describing the problem otherwise. */
export function parseCertificates(value: string, ctx: CertificateContext): ParsedCertificates {
  const split = splitPem(value);
  if (!split.ok) {
    fail(
      ctx,
      split.reason,
      split.reason === "unterminated"
        ? `Block ${split.blockNumber} of ${ctx.key} has a '-----BEGIN' line without its matching '-----END' line: it is cut off. Paste the complete certificate(s).`
        : `${ctx.key} has an '-----END' line without a '-----BEGIN' line (block ${split.blockNumber}): the start of a certificate is missing. Paste the complete certificate(s).`,
      { blockNumber: split.blockNumber },
    );
  }
  const blocks = split.blocks;
  for (const [i, block] of blocks.entries()) {
    if (block.label === "CERTIFICATE") continue;
    if (isPrivateKeyLabel(block.label)) {
      fail(
        ctx,
        "private_key",
        `${ctx.key} contains a private key (block ${i + 1}): ${
          ctx.secretType === "mtls"
            ? "put the private key in TLS_PRIVATE_KEY and only certificates here"
            : "a CA bundle holds certificates only; remove the key"
        }.`,
        { blockNumber: i + 1 },
      );
    }
    if (block.label === "TRUSTED CERTIFICATE") {
      fail(
        ctx,
        "trusted_certificate",
        `Block ${i + 1} of ${ctx.key} is an OpenSSL 'TRUSTED CERTIFICATE': convert it to a plain certificate with \`openssl x509 -in in.pem -out out.pem\`.`,
        { blockNumber: i + 1 },
      );
    }
    fail(
      ctx,
      "not_a_certificate",
      `Block ${i + 1} of ${ctx.key} is ${describePemLabel(block.label)}, not a certificate: keep only CERTIFICATE blocks.`,
      { blockNumber: i + 1 },
    );
  }
  if (blocks.length === 0) fail(ctx, "no_certificate", `${ctx.key} contains no certificate: ${PEM_HINT}.`);
  // Titles and comments before or between blocks are normal in bundles; text after the last
  // block is not (a truncated paste, or a second value pasted by mistake).
  if (split.hasTrailingText) {
    fail(
      ctx,
      "trailing_text",
      `${ctx.key} has text after its last '-----END CERTIFICATE-----' line: remove everything after the last certificate.`,
      { blockNumber: blocks.length },
    );
  }

  const certificates: X509Certificate[] = [];
  const facts: CertificateFacts[] = [];
  const count = blocks.length;
  for (const [index, block] of blocks.entries()) {
    const where = count === 1 ? `The certificate in ${ctx.key}` : `Certificate ${index + 1} of ${count} in ${ctx.key}`;
    const position = { certificateNumber: index + 1, certificateCount: count };
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(block.text);
    } catch {
      return fail(
        ctx,
        "damaged",
        `${where} could not be parsed: it is damaged or incomplete. Paste it again, unmodified${
          count === 1 ? "" : ", or remove it"
        }.`,
        position,
      );
    }
    const notBefore = new Date(certificate.validFrom);
    const notAfter = new Date(certificate.validTo);
    if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
      fail(ctx, "unreadable_validity", `${where} has a validity period that cannot be read: replace it.`, position);
    }
    certificates.push(certificate);
    facts.push({
      key: ctx.key,
      index,
      subject: oneLineName(certificate.subject),
      issuer: oneLineName(certificate.issuer),
      serialNumber: certificate.serialNumber.toUpperCase(),
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
      fingerprint256: certificate.fingerprint256,
      isCA: certificate.ca,
    });
  }
  return { certificates, facts };
}
