// The OTP module's only public surface.
export { hotp, totp, timeStep, type OtpAlgorithm, type OtpParameters } from './hotp.ts';
export { base32Encode, base32Decode } from './base32.ts';
export { otpauthUri, type OtpauthInput } from './otpauth.ts';
export { OtpError, type OtpErrorCode } from './errors.ts';
export { defaultOtpPolicy, normalizeCode, type OtpPolicy } from './policy.ts';
export { bindToDevice, type EnrolmentOptions } from './token-types.ts';
export { createOtpService, type OtpService, type OtpServiceOptions } from './service.ts';
export type { AttemptOptions, AuditEvent as OtpAuditEvent } from './context.ts';
export type { Enrolment, Confirmed, FactorProof } from './enrolment.ts';
export type { Accepted, AccountTokens } from './validation.ts';
export { checkHardwareImport, type HardwareImport } from './admin.ts';
export type { OtpStore, StoredToken } from './store.ts';
export { createSqlOtpStore } from './sql/otp-store.ts';
export type { TokenDescription, TokenType, TokenState } from './token.ts';
export { createEnrolmentNotice, type EnrolmentNotice, type EnrolmentNoticePorts } from './notices.ts';
