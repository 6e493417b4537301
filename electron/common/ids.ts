/**
 * The shapes of names and ids at every boundary, once: room and channel names (they appear in URLs, socket.io
 * room keys and file names) and ids (lines, clients, requests).
 */
import { z } from 'zod';

/** Room and channel names: 1-64 letters, digits, `_` and `-`. */
export const nameSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'names are letters, digits, _ and -');

/** Ids of lines, clients and requests: 1-128 letters, digits and `_ . : -`. */
export const idSchema = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:-]+$/, 'ids are letters, digits and _ . : -');
