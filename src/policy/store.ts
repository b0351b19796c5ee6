import type { AppPolicy } from './policy.ts';

export interface PolicyStore {
  find(appId: string): Promise<AppPolicy | undefined>;
  save(policy: AppPolicy, atMs: number): Promise<void>;
  list(): Promise<AppPolicy[]>;
}
