/**
 * The caption hub: public API for the console's main process, the CLIs, tests and benchmarks.
 * Clients connect with socket.io-client directly, using the contract in electron/common/protocol.ts.
 */
export {
  startCaptionHub,
  channelRoomKey,
  hubRoomKey,
  HubStartError,
  type HubStartErrorCode,
  type CaptionHub,
  type HubHealth,
  type HubOptions,
  type HubRoom,
  type HubServer,
  type HubSocket,
  type HubSocketData,
  type HubFeature,
  type HubFeatureContext,
} from './caption-hub';
export { boothRelay, type BoothRelay } from './booth-relay';
export { MemoryJournalHistoryStore, journalFile, type HistoryStore, type RoomSpec, type StoreHealth } from './history-store';
export type { JournalDurability } from '../node/jsonl-journal';
export { ChannelLedger, type ChangeOutcome, type LedgerRecord, type LedgerSnapshot, type PublishOutcome } from './channel-ledger';
// The hub logs through the Node layer's one Logger; `HubLogger`/`silentHubLogger` name it for embedders.
export { silentLogger, silentLogger as silentHubLogger, type Logger, type Logger as HubLogger, type LogFields } from '../node/logger';
export { cleanCaptionText } from './caption-text';
export { exportLines, lineCues } from './caption-export';
export { DISPLAY_CSP } from './http-routes';
// Types only: the redis client is loaded by startCaptionHub when `redis` is set (import the class from
// './redis-history-store' to use it directly).
export type { RedisHistoryStore, RedisHistoryStoreOptions } from './redis-history-store';
export { redactUrl } from './redis-url';
export type { RoomConfig, RateLimitConfig } from '../common/hub-config';
