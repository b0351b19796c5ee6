// The admin module's only public surface: the helpdesk's and operator's operations as one service.
export { createAdmin, type AdminService, type Operation } from './service.ts';
export type { Operator } from './guard.ts';
export { operationRules, permissionsOf, type Permission } from './permissions.ts';
export { roles, type Role, type RoleGrant, type RoleStore, type GrantInput, type ListedGrant } from './roles.ts';
export { createSqlRoleStore } from './sql/role-store.ts';
export type { AdminPorts, AdminOptions } from './ports.ts';
export { AdminError, type AdminErrorCode } from './errors.ts';
export { checkDirectory, type DirectoryCheck } from './directory-check.ts';
export { readSeedFile, type SeedEncoding, type SeedFile } from './seed-file.ts';
export { readPskcFile, pskcNeeds, maxPskcBytes, type PskcSecrets } from './pskc.ts';
export type { ImportResult } from './tokens.ts';
export type { ListedRadiusClient } from './clients.ts';
export type { AuditQuery } from './audit-log.ts';
export { consoleAppId, type PolicyInput, type UserInput } from './operators.ts';
