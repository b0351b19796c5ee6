// The desktop token's core: vault, PIN, device binding and codes. No HTTP, no UI: the app (../app) is built on it.
export { codeAt, effectiveSecret, normalizeSerial, serialHash, tokenParameters, type CurrentCode } from './device.ts';
export { TokenError, type TokenErrorCode } from './errors.ts';
export { fileVaultStore } from './file-store.ts';
export { readSerial, testSerialVariable, type SerialPorts, type SerialReading, type SerialSource } from './serial.ts';
export {
  createDesktopToken,
  type DesktopToken,
  type DeviceProof,
  type OpenToken,
  type TokenPorts,
  type VaultStore,
} from './token.ts';
export {
  checkPin,
  defaultKdf,
  delayAfter,
  maxWrongPins,
  parseVault,
  type KdfParameters,
  type VaultContents,
  type VaultFileV1,
} from './vault.ts';
