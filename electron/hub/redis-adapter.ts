/**
 * socket.io's Redis Streams adapter for a hub spanning several processes: a broadcast on one node reaches the
 * displays of every node, and connection-state recovery keeps working across nodes (sessions are kept in
 * Redis). Used by {@link startCaptionHub} when `redis` is set, together with {@link RedisHistoryStore}.
 */
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { RedisClientType } from 'redis';

/** The socket.io `adapter` option for a hub node sharing `client`'s Redis. */
export function createRedisStreamsAdapter(client: RedisClientType, keyPrefix = 'tarjuman'): ReturnType<typeof createAdapter> {
  return createAdapter(client, {
    streamName: `${keyPrefix}:socket.io`,
    channelPrefix: `${keyPrefix}:socket.io`,
    sessionKeyPrefix: `${keyPrefix}:sio:session:`,
    // Shorter than the default 5 s so a closing hub releases its stream reader promptly.
    blockTimeInMs: 1000,
    // Caption events are JSON only.
    onlyPlaintext: true,
  });
}
