export { hotp, totp, timeStep, type OtpAlgorithm } from './hotp.ts';
export { base32Encode, base32Decode } from './base32.ts';
export { otpauthUri } from './otpauth.ts';
export { OtpError, type OtpErrorCode } from './errors.ts';
export { createOtpService, bindToDevice, normalizeCode, defaultOtpPolicy, type OtpService, type OtpPolicy, type Enrolment } from './service.ts';
export { createSqlOtpStore } from './sql/otp-store.ts';
export type { TokenDescription, TokenType, TokenState } from './token.ts';
