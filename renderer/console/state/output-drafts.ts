/**
 * The host console's platform outputs as the settings panel edits them. The page gets each output with its
 * credential masked (`redactOutputCredentials`): the draft keeps that masked value aside and the typed field empty,
 * so a credential is never shown, and an untouched one goes back masked, which the console takes as "keep the
 * stored one". Checked with the hub config's own schema before the save, so a mistake is said in its words.
 */
import { outputConfigListSchema, type OutputConfig, type OutputKind } from '../../../electron/common/caption-outputs';
import { fail, ok, type Result } from '../../../electron/common/result';

/** One output in the editor. */
export interface OutputDraft {
  /** Local key of the row (stable while ids are edited). */
  key: number;
  /** The output as saved (credential masked), or null for one added in this edit. */
  saved: OutputConfig | null;
  kind: OutputKind;
  id: string;
  channel: string;
  /** OBS: the obs-websocket address; files: the folder. Not secret. */
  address: string;
  /** Zoom, Teams: caption language (empty: from the channel). */
  lang: string;
  /** Typed credential (YouTube/Zoom/Teams URL, OBS password); empty keeps the stored one. */
  credential: string;
}

/** What each kind calls its credential, for labels and messages. */
export const CREDENTIAL_LABELS: Record<OutputKind, string | null> = {
  youtube: 'Ingestion URL',
  zoom: 'Caption API token URL',
  teams: 'CART caption URL',
  obs: 'Password',
  file: null,
};

/** Names of the kinds as the operator knows them. */
export const OUTPUT_KIND_LABELS: Record<OutputKind, string> = { youtube: 'YouTube Live', zoom: 'Zoom', teams: 'Microsoft Teams', obs: 'OBS (608 track)', file: 'Live files' };

let nextKey = 1;

/** Whether a saved output has a stored credential (a URL kind always has; OBS when a password is set). */
export function credentialStored(draft: Pick<OutputDraft, 'saved' | 'kind'>): boolean {
  const s = draft.saved;
  if (!s || s.kind !== draft.kind) return false;
  if (s.kind === 'obs') return s.password !== undefined && s.password !== '';
  return s.kind !== 'file';
}

/** The editor's row for a saved output. */
export function outputDraft(config: OutputConfig): OutputDraft {
  return {
    key: nextKey++,
    saved: config,
    kind: config.kind,
    id: config.id,
    channel: config.channel,
    address: config.kind === 'obs' ? config.url : config.kind === 'file' ? config.dir : '',
    lang: config.kind === 'zoom' || config.kind === 'teams' ? (config.lang ?? '') : '',
    credential: '',
  };
}

/** A new row of `kind` on `channel`, with an id no other row has (`youtube-en`, `youtube-en-2`...). */
export function newOutputDraft(kind: OutputKind, channel: string, taken: readonly string[]): OutputDraft {
  let id = `${kind}-${channel}`;
  for (let n = 2; taken.includes(id); n++) id = `${kind}-${channel}-${n}`;
  return {
    key: nextKey++,
    saved: null,
    kind,
    id,
    channel,
    address: kind === 'obs' ? 'ws://127.0.0.1:4455' : kind === 'file' ? 'live-captions' : '',
    lang: '',
    credential: '',
  };
}

/** The output a row stands for, in the hosted `room` (credential masked where untouched). */
function configOf(d: OutputDraft, room: string): Result<OutputConfig> {
  const same = d.saved && d.saved.kind === d.kind ? d.saved : null;
  // Tuning the editor does not show (enabled, pacing, backlog, max age, file formats) stays as saved.
  const { kind: _k, id: _i, room: _r, channel: _c, ...kept } = same ?? { kind: d.kind, id: '', room: '', channel: '' };
  const common = { ...kept, id: d.id.trim(), room, channel: d.channel };
  const typed = d.credential.trim();
  const name = d.id.trim() || OUTPUT_KIND_LABELS[d.kind];
  switch (d.kind) {
    case 'youtube':
    case 'zoom':
    case 'teams': {
      const url = typed || (same && same.kind !== 'file' && same.kind !== 'obs' ? same.url : '');
      if (!url) return fail('INVALID_ARGUMENTS', `Output ${name}: paste the ${CREDENTIAL_LABELS[d.kind]}.`);
      const lang = d.lang.trim();
      const { lang: _l, ...rest } = common as typeof common & { lang?: string };
      return ok({ ...rest, kind: d.kind, url, ...(d.kind !== 'youtube' && lang ? { lang } : {}) } as OutputConfig);
    }
    case 'obs': {
      const password = d.credential !== '' ? d.credential : same?.kind === 'obs' ? same.password : undefined;
      const { password: _p, ...rest } = common as typeof common & { password?: string };
      return ok({ ...rest, kind: 'obs', url: d.address.trim(), ...(password !== undefined ? { password } : {}) } as OutputConfig);
    }
    case 'file':
      return ok({ ...common, kind: 'file', dir: d.address.trim() } as OutputConfig);
  }
}

/**
 * The rows as the `outputs` setting, checked with the hub config's schema; the error names the output and says
 * what is wrong in the schema's words.
 */
export function outputsOf(drafts: readonly OutputDraft[], room: string): Result<OutputConfig[]> {
  const list: OutputConfig[] = [];
  for (const d of drafts) {
    const c = configOf(d, room);
    if (!c.ok) return c;
    list.push(c.value);
  }
  const parsed = outputConfigListSchema.safeParse(list);
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0]!;
  const at = typeof issue.path[0] === 'number' ? list[issue.path[0]] : undefined;
  const field = issue.path.slice(1).map(String).join('.');
  const label = field === 'url' && at && at.kind !== 'obs' && at.kind !== 'file' ? CREDENTIAL_LABELS[at.kind] : field === 'dir' ? 'folder' : field;
  return fail('INVALID_ARGUMENTS', at ? `Output ${at.id || OUTPUT_KIND_LABELS[at.kind]}: ${label ? `${label}: ` : ''}${issue.message}` : `Platform outputs: ${issue.message}`);
}
