// What other packages' tests use of the runtime's test support (the loopback AWS services).
export type { TestS3 } from "../aws/s3rver.test-support.js";
export { startTestS3 } from "../aws/s3rver.test-support.js";
export type { FakeSts, IssuedCredentials, StsCall } from "../aws/sts-fake.test-support.js";
export { HOST_TEST_CREDENTIALS, startFakeSts } from "../aws/sts-fake.test-support.js";
