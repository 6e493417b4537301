/**
 * Schemas of the journal lines the hub writes to disk. A journal is data from outside the process (another
 * run, maybe a crash mid-write, maybe hand-edited), so replay parses every line with these before use.
 */
import { z } from 'zod';
import { idSchema, nameSchema } from '../common/ids';
import { CAPTION_SOURCES, type ChannelChange, type Notice } from '../common/protocol';
import type { LedgerRecord, LedgerSnapshot } from './channel-ledger';

const name = nameSchema;
const id = idSchema;
const time = z.number().finite().nonnegative();

export const captionLineSchema = z.object({
  id,
  room: name,
  channel: name,
  seq: z.number().int().positive(),
  text: z.string(),
  state: z.enum(['partial', 'final']),
  revision: z.number().int().nonnegative(),
  source: z.enum(CAPTION_SOURCES),
  lang: z.string().optional(),
  audioStart: time.optional(),
  audioEnd: time.optional(),
  startedAt: time,
  updatedAt: time,
  committedAt: time.optional(),
  stableChars: z.number().int().nonnegative().optional(),
});

const cursor = z.number().int().positive();
export const channelChangeSchema: z.ZodType<ChannelChange> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('committed'), room: name, channel: name, cursor, line: captionLineSchema }),
  z.object({ kind: z.literal('revised'), room: name, channel: name, cursor, line: captionLineSchema }),
  z.object({ kind: z.literal('cleared'), room: name, channel: name, cursor, at: time }),
]);

export const noticeSchema: z.ZodType<Notice> = z.object({
  room: name,
  text: z.string().nullable(),
  shownAt: time,
  ttlMs: z.number().int().positive().optional(),
});

const seenIdSchema = z.object({ seq: z.number().int().positive(), firstSeenAt: time, finalText: z.string().optional() });

export const ledgerSnapshotSchema: z.ZodType<LedgerSnapshot> = z.object({
  channel: name,
  cursor: z.number().int().nonnegative(),
  nextSeq: z.number().int().positive(),
  lines: z.array(
    z.object({ line: captionLineSchema, publishedText: z.string(), cursor, cleared: z.boolean() }),
  ),
  changes: z.array(channelChangeSchema),
  seen: z.array(z.tuple([id, seenIdSchema])),
});

export const ledgerRecordSchema: z.ZodType<LedgerRecord> = z.union([
  z.object({ t: z.literal('seq'), channel: name, id, seq: z.number().int().positive(), at: time }),
  z.object({ t: z.literal('change'), change: channelChangeSchema, publishedText: z.string().optional() }),
]);

/** One line of a room's journal. */
export type JournalEntry =
  | LedgerRecord
  | { t: 'notice'; notice: Notice }
  | { t: 'snapshot'; ledger: LedgerSnapshot };

export const journalEntrySchema: z.ZodType<JournalEntry> = z.union([
  ledgerRecordSchema,
  z.object({ t: z.literal('notice'), notice: noticeSchema }),
  z.object({ t: z.literal('snapshot'), ledger: ledgerSnapshotSchema }),
]);
