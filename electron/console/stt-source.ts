/**
 * How the console core drives speech-to-text for one source (floor or voice): a small port the core depends
 * on, so the process model (child_process.fork in Node, utilityProcess in Electron) and the supervisor are
 * injected. The default implementation (stt-supervisor-source.ts) wraps electron/stt's supervisor.
 */
import type { CaptionEvent, SttCommitRule, SttStatusEvent, GlossaryTerm as SttGlossaryTerm } from '../common/stt-protocol';
import type { ConsoleSttLanguage, GlossaryTerm, SttSourceKind } from '../common/console-api';

/** What the core asks for when it starts a source. */
export interface SttSourceRequest {
  source: SttSourceKind;
  language: ConsoleSttLanguage;
  /** Model file (ggml). */
  modelPath: string;
  glossary: SttGlossaryTerm[];
  /** When a word becomes final (the stream's commit rule). */
  commit: SttCommitRule;
  /** Prefix of caption ids: unique per start, so ids never collide with an earlier run on the hub. */
  idPrefix: string;
}

/** What a running source reports. */
export interface SttSourceEvents {
  caption(e: CaptionEvent): void;
  status(e: SttStatusEvent): void;
  /** Audio dropped so far (the supervisor's bounded buffer was full), frames or samples. */
  dropped?(samples: number): void;
  /** Seconds of audio received but not yet transcribed, when it changed noticeably. */
  lag?(seconds: number): void;
}

/** A running source. */
export interface SttSourceHandle {
  /** 16 kHz mono Float32 audio, in order. */
  push(frame: Float32Array): void;
  /** New glossary terms for the prompt (applies from the next pass). */
  setGlossary(terms: SttGlossaryTerm[]): void;
  /** Another language to decode (the Floor or Voice language setting changed while it runs; from the next pass). */
  setLanguage(language: ConsoleSttLanguage): void;
  /**
   * Stops the source: what it has heard is transcribed and its captions (the open utterance's last line) delivered
   * first, within a bound; then the worker stops. Resolves once it is gone.
   */
  stop(): Promise<void>;
}

/** Starts a source. Synchronous: status events report loading/ready/failed. */
export type SttSourceFactory = (request: SttSourceRequest, events: SttSourceEvents) => SttSourceHandle;

/** The console glossary in the shape the speech-to-text contract takes (every language present, maybe empty). */
export function toSttGlossary(terms: readonly GlossaryTerm[]): SttGlossaryTerm[] {
  return terms.slice(0, 2000).map((t) => ({ en: t.en ?? '', ru: t.ru ?? '', ar: t.ar ?? '' }));
}
