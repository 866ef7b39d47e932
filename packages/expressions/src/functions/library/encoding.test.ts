import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { base64Functions, hashFunctions } from "./encoding.js";
import { assertFails, callerFor } from "./test-support.js";

const fn = callerFor([...base64Functions, ...hashFunctions]);

describe("base64", () => {
  it("to_base64 / from_base64", () => {
    assert.equal(fn("to_base64", "Hello, World!"), "SGVsbG8sIFdvcmxkIQ==");
    assert.equal(fn("to_base64", ""), "");
    assert.equal(fn("to_base64", "Special chars: !@#$%^&*()"), "U3BlY2lhbCBjaGFyczogIUAjJCVeJiooKQ==");
    assert.equal(fn("from_base64", "SGVsbG8sIFdvcmxkIQ=="), "Hello, World!");
    assert.equal(fn("from_base64", ""), "");
    assert.equal(fn("from_base64", "aGVs bG8=\n"), "hello");
    assert.equal(fn("from_base64", "YQ==YQ=="), "a");
    assertFails(() => fn("from_base64", "invalid base64"), "value_error", /1 more than a multiple of 4/);
    assertFails(() => fn("from_base64", "aGVsbG8"), "value_error", /incorrect padding/);
    assertFails(() => fn("from_base64", "/w=="), "value_error", /not valid UTF-8/);
    assertFails(() => fn("to_base64", 5), "type_error", /parameter 'x' must be a str, got int/);
  });

  it("to_base64url / from_base64url keep and require padding", () => {
    assert.equal(fn("to_base64url", "ÿþ?>"), "w7_Dvj8-");
    assert.equal(fn("from_base64url", fn("to_base64url", "a/b?c=d&é")), "a/b?c=d&é");
    assert.equal(fn("from_base64url", "SGVsbG8sIFdvcmxkIQ=="), "Hello, World!");
    assert.equal(fn("from_base64url", "aGVsbG8="), "hello");
    assertFails(() => fn("from_base64url", "aGVsbG8"), "value_error", /incorrect padding/);
    assertFails(() => fn("from_base64url", "invalid base64url"), "value_error", /not valid UTF-8/);
    assertFails(() => fn("from_base64url", null), "type_error", /got NoneType/);
  });
});

describe("hash functions", () => {
  it("hex digests of UTF-8 text", () => {
    assert.equal(fn("hash_md5", "test"), "098f6bcd4621d373cade4e832627b4f6");
    assert.equal(fn("hash_md5", ""), "d41d8cd98f00b204e9800998ecf8427e");
    assert.equal(fn("hash_sha1", "test"), "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3");
    assert.equal(fn("hash_sha256", "test"), "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    assert.equal(
      fn("hash_sha512", "test"),
      "ee26b0dd4af7e749aa1a8ee3c10ae9923f618980772e473f8819a5d4940e0db27ac185f8a0e1d5f84f88bc887fd67b143732c304cc5fa9ad8e6f57f50028a8ff",
    );
    assertFails(() => fn("hash_sha256", 1), "type_error", /parameter 'x' must be a str, got int/);
    assertFails(() => fn("hash_md5", "\ud800"), "value_error", /lone surrogate/);
  });
});
