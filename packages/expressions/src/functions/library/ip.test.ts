import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ipFunctions } from "./ip.js";
import { assertFails, callerFor } from "./test-support.js";

const fn = callerFor(ipFunctions);

describe("IP addresses", () => {
  it("check_ip_version", () => {
    assert.equal(fn("check_ip_version", "192.168.1.1"), 4);
    assert.equal(fn("check_ip_version", "2001:db8::1"), 6);
    assert.equal(fn("check_ip_version", "::1"), 6);
    assert.equal(fn("check_ip_version", "::ffff:1.2.3.4"), 6);
    assert.equal(fn("check_ip_version", "fe80::1%eth0"), 6);
    assert.equal(fn("check_ip_version", 3232235777), 4);
    for (const bad of ["01.2.3.4", "256.1.1.1", "1.2.3", "1:2:3:4:5:6:7:8:9", "1::2::3", " 1.2.3.4", "x"]) {
      assertFails(
        () => fn("check_ip_version", bad),
        "value_error",
        /parameter 'ip' does not appear to be an IPv4 or IPv6 address/,
      );
    }
    assertFails(() => fn("check_ip_version", null), "type_error", /got NoneType/);
  });

  it("ipv4_in_subnet / ipv6_in_subnet are strict about networks", () => {
    assert.equal(fn("ipv4_in_subnet", "192.168.1.1", "192.168.1.0/24"), true);
    assert.equal(fn("ipv4_in_subnet", "192.168.1.1", "192.168.2.0/24"), false);
    assert.equal(fn("ipv4_in_subnet", "10.0.0.1", "10.0.0.0/8"), true);
    assert.equal(fn("ipv4_in_subnet", "172.16.0.1", "192.168.0.0/16"), false);
    assert.equal(fn("ipv4_in_subnet", "10.1.2.3", "10.0.0.0/255.0.0.0"), true);
    assert.equal(fn("ipv4_in_subnet", "10.1.2.3", "10.0.0.0/0.255.255.255"), true);
    assert.equal(fn("ipv4_in_subnet", "10.1.2.3", "10.1.2.3"), true);
    assert.equal(fn("ipv6_in_subnet", "2001:db8::1", "2001:db8::/32"), true);
    assert.equal(fn("ipv6_in_subnet", "2001:db8::1", "2001:db9::/32"), false);
    assert.equal(fn("ipv6_in_subnet", "fe80::1", "fe80::/10"), true);
    assert.equal(fn("ipv6_in_subnet", "2001:db8::1", "fe80::/10"), false);
    assertFails(() => fn("ipv4_in_subnet", "192.168.1.1", "192.168.1.1/24"), "value_error", /host bits set/);
    assertFails(
      () => fn("ipv4_in_subnet", "2001:db8::1", "10.0.0.0/8"),
      "value_error",
      /parameter 'ipv4' does not appear to be an IPv4 address/,
    );
    assertFails(() => fn("ipv6_in_subnet", "2001:db8::1", "2001:db8::/129"), "value_error", /invalid prefix length/);
  });

  it("ipv4_is_public / ipv6_is_public follow Python's is_global", () => {
    for (const ip of ["192.168.1.1", "10.0.0.1", "172.16.0.1", "100.64.0.1", "127.0.0.1", "192.0.2.5"]) {
      assert.equal(fn("ipv4_is_public", ip), false, ip);
    }
    for (const ip of ["8.8.8.8", "1.1.1.1", "192.0.0.9", "224.0.0.1"]) assert.equal(fn("ipv4_is_public", ip), true, ip);
    for (const ip of ["fe80::1", "fc00::1", "2001:db8::1", "::1", "::ffff:10.0.0.1"]) {
      assert.equal(fn("ipv6_is_public", ip), false, ip);
    }
    for (const ip of ["2606:4700:4700::1111", "2404:6800:4000::1", "::ffff:8.8.8.8", "ff02::1"]) {
      assert.equal(fn("ipv6_is_public", ip), true, ip);
    }
    assertFails(() => fn("ipv4_is_public", "::1"), "value_error", /IPv4 address/);
    assertFails(() => fn("ipv6_is_public", 5.5), "type_error", /got float/);
  });
});
