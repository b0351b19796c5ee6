// RADIUS (RFC 2865/2866/2869/3579/5997): the only door into src/radius. The server takes an
// `authenticate` function as an argument and imports no OTP, directory or identity code.
export { createRadiusServer, type RadiusBound, type RadiusServer, type RadiusServerOptions } from './server.ts';
export {
  radiusConfigSchema,
  radiusClientSchema,
  replyAttributeSchema,
  type RadiusConfig,
  type RadiusConfigInput,
  type RadiusClientConfig,
} from './config.ts';
export { parseRadiusConfig } from './clients.ts';
export type { AccessRequest, AccessDecision, AccountingRecord, ReplyAttribute, NamedAttribute } from './messages.ts';
export { callingStation } from './messages.ts';
export { radiusOutcomes, type RadiusOutcome, type RadiusCounters, type CountEvent } from './counters.ts';
export {
  RadiusError,
  RadiusDecodeError,
  RadiusEncodeError,
  RadiusConfigError,
  RadiusClientError,
  RadiusPortError,
  type RadiusErrorCode,
} from './errors.ts';
export { decodePacket, encodePacket, maxPacketLength, type RadiusPacket, type RadiusAttribute } from './packet.ts';
export {
  encodeValue,
  decodeValue,
  getAttribute,
  getAttributes,
  encodeVendorSpecific,
  decodeVendorSpecific,
  type AttributeValue,
  type VendorAttribute,
} from './attributes.ts';
export {
  hidePassword,
  unhidePassword,
  messageAuthenticator,
  verifyMessageAuthenticator,
  verifyAccountingRequest,
  verifyResponse,
  encodeResponse,
  encodeRequest,
} from './authenticator.ts';
export {
  PacketCode,
  AttributeCode,
  attributeByCode,
  attributeByName,
  packetCodeName,
  type AttributeDefinition,
  type AttributeType,
} from './dictionary.ts';
export { replyMessageFor, type VpnMessage } from './reply-messages.ts';
export {
  createVpnLogin,
  createChallengePurge,
  type VpnLoginPorts,
  type ChallengeStates,
  type Challenge,
} from './vpn-login.ts';
export { createSqlChallengeStates } from './sql/challenge-states.ts';
export { sessionChange, type SessionChange } from './accounting.ts';
export { createSqlVpnSessions, type VpnSessions, type VpnSession } from './sql/sessions.ts';
export {
  createSqlStoredClients,
  type StoredClients,
  type StoredClientInput,
  type StoredClientSummary,
} from './sql/clients.ts';
export { sendTestAccessRequest, type TestRequest, type TestAnswer } from './test-request.ts';
