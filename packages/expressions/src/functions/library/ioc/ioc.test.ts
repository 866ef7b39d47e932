import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertFails, callerFor } from "../test-support.js";
import { iocFunctions } from "./index.js";

const fn = callerFor(iocFunctions);
const sorted = (v: unknown) => [...(v as string[])].sort();

describe("IOC extractors", () => {
  it("extract_asns needs upper-case AS and word boundaries", () => {
    assert.deepEqual(fn("extract_asns", "Detected suspicious traffic from AS12345 to our network."), ["AS12345"]);
    assert.deepEqual(fn("extract_asns", "Some invalid formats: 12345AS, ASabcde"), []);
    assert.deepEqual(sorted(fn("extract_asns", "Seen: ASN 45090, AS4837, AS17621")), ["AS17621", "AS4837"]);
    assert.deepEqual(fn("extract_asns", "AS1.AS2"), ["AS1", "AS2"]);
    assert.deepEqual(fn("extract_asns", "AS123x xAS1 AS12_ as456 éAS9"), []);
    assertFails(() => fn("extract_asns", null), "type_error", /parameter 'text' must be a str, got NoneType/);
  });

  it("extract_cves has no word boundary", () => {
    assert.deepEqual(fn("extract_cves", "Critical vulnerability CVE-2021-34527 needs immediate patching."), [
      "CVE-2021-34527",
    ]);
    assert.deepEqual(fn("extract_cves", "CVE-abcd-1234, CVE-2021, CVE-2021-ABCD."), []);
    assert.deepEqual(fn("extract_cves", "CVE-2021-1234567"), ["CVE-2021-1234567"]);
    assert.deepEqual(fn("extract_cves", "CVE-2021-12345678 xCVE-2020-0001x cve-2020-0001"), [
      "CVE-2021-1234567",
      "CVE-2020-0001",
    ]);
    assertFails(() => fn("extract_cves", 5), "type_error", /got int/);
  });

  it("extract_domains skips URLs, handles defanging and keeps filenames", () => {
    assert.deepEqual(
      sorted(fn("extract_domains", "Multiple domains: example.com, sub.example.org, and test-site.co.uk.")),
      ["example.com", "sub.example.org", "test-site.co.uk"],
    );
    assert.deepEqual(
      fn("extract_domains", "Some domain in URL: https://example.com/path and domain with text example.org."),
      ["example.org"],
    );
    assert.deepEqual(fn("extract_domains", "Domain with numeric TLD: example.123"), []);
    assert.deepEqual(fn("extract_domains", "trailing dot example.com."), ["example.com"]);
    assert.deepEqual(fn("extract_domains", "Email: user.name+tag123@example-corp.com"), ["example-corp.com"]);
    assert.deepEqual(
      sorted(
        fn(
          "extract_domains",
          "Valid: example.com, sub.example.org  Invalid: not_a_domain, .invalid, example..com, -example.com",
        ),
      ),
      ["example.com", "sub.example.org"],
    );
    assert.deepEqual(
      sorted(fn("extract_domains", "Mixed defanging techniques: bad[.]domain\\.com and evil(.)site(.)net", true)),
      ["bad.domain.com", "evil.site.net"],
    );
    assert.deepEqual(fn("extract_domains", "Defanged URL: hxxps://malicious[.]example[.]org/path", true), []);
    assert.deepEqual(sorted(fn("extract_domains", "Download file.exe from Example.COM")), ["Example.COM", "file.exe"]);
    assert.deepEqual(fn("extract_domains", "a.b.example.com1 xn--bcher-kva.example"), ["xn--bcher-kva.example"]);
    assert.deepEqual(fn("extract_domains", `${"a.".repeat(20_000)}b`), []);
  });

  it("extract_emails validates like email-validator", () => {
    assert.deepEqual(sorted(fn("extract_emails", "Contact us at support@example.com or sales@example.org.")), [
      "sales@example.org",
      "support@example.com",
    ]);
    assert.deepEqual(fn("extract_emails", "Invalid email test@.com and correct email info@example.net"), [
      "info@example.net",
    ]);
    assert.deepEqual(fn("extract_emails", "Subscribe john.doe+newsletter@example.com"), [
      "john.doe+newsletter@example.com",
    ]);
    assert.deepEqual(fn("extract_emails", "Invalid: user@, @example.com, user@domain, plaintext"), []);
    assert.deepEqual(fn("extract_emails", "a@host.local b..c@example.com d@ex--ample.com e@sub.test"), []);
    assert.deepEqual(fn("extract_emails", "a@xn--abc.com b@xn--bcher-kva.example"), ["b@xn--bcher-kva.example"]);
    assert.deepEqual(fn("extract_emails", "User+A@Example.COM user@example.com", true), ["user@example.com"]);
  });

  it("normalize_email", () => {
    assert.equal(fn("normalize_email", "user+info@example.com"), "user@example.com");
    assert.equal(fn("normalize_email", "test+multiple+plus@example.com"), "test@example.com");
    assert.equal(fn("normalize_email", "MIXED+case@Example.COM"), "mixed@example.com");
    assertFails(() => fn("normalize_email", "a@b@c"), "value_error", /exactly one '@'/);
    assertFails(() => fn("normalize_email", null), "type_error", /parameter 'email'/);
  });

  it("hash extractors need exact lengths and boundaries", () => {
    assert.deepEqual(fn("extract_md5", "MD5 hash: d41d8cd98f00b204e9800998ecf8427e found in sample."), [
      "d41d8cd98f00b204e9800998ecf8427e",
    ]);
    assert.deepEqual(fn("extract_md5", "d41d8cd98f00b204e9800998ecf842 (too short)"), []);
    assert.deepEqual(fn("extract_md5", "payload 8f10688DD41A3BB9E714FF5C718D3D6A."), [
      "8f10688DD41A3BB9E714FF5C718D3D6A",
    ]);
    const sha1 = "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3";
    const sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    assert.deepEqual(fn("extract_sha1", `sha1=${sha1}; md5 d41d8cd98f00b204e9800998ecf8427e`), [sha1]);
    assert.deepEqual(fn("extract_sha256", `${sha256} ${sha256.toUpperCase()} x${sha256}`), [
      sha256,
      sha256.toUpperCase(),
    ]);
    assert.deepEqual(fn("extract_sha512", `h: ${"ab".repeat(64)}`), ["ab".repeat(64)]);
    assert.deepEqual(fn("extract_sha256", `${sha256}0`), []);
  });

  it("extract_ipv4 / extract_ipv6 / extract_ip", () => {
    assert.deepEqual(fn("extract_ipv4", "Connection from 203.0.113.5:49123 to 198.51.100.12:443 blocked"), [
      "203.0.113.5",
      "198.51.100.12",
    ]);
    assert.deepEqual(fn("extract_ipv4", "Subnets 172.16.0.0/16 and 10.3.2.0/24"), ["172.16.0.0", "10.3.2.0"]);
    assert.deepEqual(fn("extract_ipv4", "999.999.999.999 and 256.256.256.256"), []);
    assert.deepEqual(fn("extract_ipv4", "01.2.3.4 1.2.3.4.5 [8.8.8.8]"), ["1.2.3.4", "8.8.8.8"]);
    assert.deepEqual(
      sorted(fn("extract_ipv4", "Interesting IPs found: 192[dot]168[dot]1[dot]1 and 10 dot 0 dot 0 dot 1", true)),
      ["10.0.0.1", "192.168.1.1"],
    );
    assert.deepEqual(fn("extract_ipv4", "192[dot]168[dot]1[dot]1"), []);
    assert.deepEqual(
      fn("extract_ipv6", "Suspicious connection detected from [2001:db8::1]:8080 to [2001:db8:1::ab9:C0A8:102]:443"),
      ["2001:db8::1", "2001:db8:1::ab9:C0A8:102"],
    );
    assert.deepEqual(fn("extract_ipv6", "Download https://[2001:db8::bad:1]/malware.exe"), ["2001:db8::bad:1"]);
    assert.deepEqual(
      sorted(
        fn(
          "extract_ipv6",
          "2001[colon]db8[colon]0[colon]0[colon]0[colon]0[colon]0[colon]1 and 2001 colon db8 colon colon 1",
          true,
        ),
      ),
      ["2001:db8:0:0:0:0:0:1", "2001:db8::1"],
    );
    assert.deepEqual(fn("extract_ipv6", "loopback ::1, zone fe80::1%eth0, full 2001:0:3238:DFE1:63::FEFB."), [
      "fe80::1",
      "2001:0:3238:DFE1:63::FEFB",
    ]);
    assert.deepEqual(fn("extract_ipv6", "time 10:30:00 mac 00:11:22:33:44:55"), []);
    assert.deepEqual(fn("extract_ip", "1.2.3.4 and 2001:db8::1"), ["1.2.3.4", "2001:db8::1"]);
    assertFails(() => fn("extract_ip", []), "type_error", /got list/);
  });

  it("extract_mac normalises to lower-case colon form", () => {
    assert.deepEqual(fn("extract_mac", "Multiple formats: 00:11:22:33:44:55, AA-BB-CC-DD-EE-FF."), [
      "00:11:22:33:44:55",
      "aa:bb:cc:dd:ee:ff",
    ]);
    assert.deepEqual(fn("extract_mac", "MAC in data: {'mac': '00:1A:2B:3C:4D:5E'}"), ["00:1a:2b:3c:4d:5e"]);
    assert.deepEqual(fn("extract_mac", "00:11:22:33:44:55 00-11-22-33-44-55"), ["00:11:22:33:44:55"]);
    assert.deepEqual(fn("extract_mac", "00:11:22:33:44:55:66 00:11:22:33:44 0011.2233.4455 00:11-22:33:44:55"), []);
  });

  it("extract_urls follows Tracecat's pattern and validation", () => {
    assert.deepEqual(fn("extract_urls", "FTP server available at ftp://files.example.com/public/docs/"), [
      "ftp://files.example.com/public/docs",
    ]);
    const long = "https://secure.url/nX-BpUKr17mePOHRS5_IUlHEPW//https%3A%2F%2Fmyurl.com";
    assert.deepEqual(fn("extract_urls", long), [long]);
    assert.deepEqual(fn("extract_urls", "Invalid URL test http://.com and correct URL https://example.net/path"), [
      "https://example.net/path",
    ]);
    assert.deepEqual(
      fn("extract_urls", "Data URL: data:text/html;base64,SGVsbG8= and normal URL https://example.com"),
      ["https://example.com"],
    );
    assert.deepEqual(fn("extract_urls", "IDN https://例子.测试/path"), ["https://例子.测试/path"]);
    assert.deepEqual(fn("extract_urls", "Common obfuscation trick: hxxps://evil.example[.]com/malware.exe"), []);
    assert.deepEqual(
      sorted(
        fn("extract_urls", "Mixed protocols: https://example.com, ftp://files.example.org, http://test.net", true),
      ),
      ["http://test.net", "https://example.com"],
    );
    assert.deepEqual(
      sorted(
        fn(
          "extract_urls",
          "Various URLs: https[:]//bad[.]com, hxxp://evil(.)net, http:[/][/]malicious.site.com",
          false,
          true,
        ),
      ),
      ["http://evil.net", "http://malicious.site.com", "https://bad.com"],
    );
    assert.deepEqual(
      sorted(
        fn(
          "extract_urls",
          "Valid: https://example.com, ftp://example.com, http://example.com, http://sub.example.org/path Invalid: http://.com, https://invalid, http://example.com:abc",
        ),
      ),
      ["ftp://example.com", "http://example.com", "http://sub.example.org/path", "https://example.com"],
    );
    assert.deepEqual(fn("extract_urls", "(see https://example.com)"), ["https://example.com)"]);
    assert.equal((fn("extract_urls", `http://${"a.".repeat(5000)}b`) as string[]).length, 1);
    assertFails(() => fn("extract_urls", 1), "type_error", /parameter 'text'/);
  });
});
