export {
  createChangeFeed,
  publishing,
  topics,
  type Topic,
  type Change,
  type ChangeFeed,
  type ChangeTransport,
} from './feed.ts';
export { openChangeTransport, redisChannel } from './transport.ts';
export { createNodeMembership, sharedSettings, ClusterError, type SharedSettings, type NodeStore } from './nodes.ts';
export { createSqlNodeStore } from './sql/nodes.ts';
