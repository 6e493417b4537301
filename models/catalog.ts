/**
 * The whisper.cpp ggml models Tarjuman offers, as published at https://huggingface.co/ggerganov/whisper.cpp
 * (the files `models/download-ggml-model.sh` of whisper.cpp fetches). Multilingual only: the booth needs ar/en/ru.
 *
 * Checksums: whisper.cpp's models/README.md publishes SHA-1 (not SHA-256) for the f16 tiny, base, small and
 * medium files; those are here as `sha1`. No SHA-256 is published in the whisper.cpp repository, and Hugging
 * Face's per-file SHA-256 could not be fetched from this offline build machine, so `sha256` is left undefined
 * rather than invented; the quantized and large-v3-turbo files have no published checksum at all. A download is
 * then verified by every checksum the entry has, and always by the structural check of models/validate.ts
 * (exact size implied by the header, every tensor present). Sizes are the approximate sizes listed by whisper.cpp
 * and Hugging Face (MiB), used for progress and disk-space estimates, not for verification.
 */

/** One downloadable model. */
export interface CatalogModel {
  /** Stable id, e.g. `base`, `small-q5_1`. */
  id: string;
  /** whisper size class. */
  family: 'tiny' | 'base' | 'small' | 'medium' | 'large-v3-turbo';
  /** Weight storage: `f16` (reference) or a quantization (smaller, faster, slightly less accurate). */
  weights: 'f16' | 'q5_0' | 'q5_1' | 'q8_0';
  /** File name on the server and in the models folder. */
  file: string;
  url: string;
  /** Approximate size in bytes (for progress and disk-space checks; not verified). */
  approxBytes: number;
  /** SHA-1 published in whisper.cpp's models/README.md, when there is one. */
  sha1?: string;
  /** SHA-256, when a published one is known (none is, see the module comment). */
  sha256?: string;
}

const BASE_URL = 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main';
const MiB = 1024 * 1024;

function entry(
  family: CatalogModel['family'],
  weights: CatalogModel['weights'],
  mib: number,
  sha1?: string,
): CatalogModel {
  const id = weights === 'f16' ? family : `${family}-${weights}`;
  const file = `ggml-${id}.bin`;
  return { id, family, weights, file, url: `${BASE_URL}/${file}`, approxBytes: mib * MiB, ...(sha1 ? { sha1 } : {}) };
}

/** The catalog, smallest first within each family. */
export const MODEL_CATALOG: readonly CatalogModel[] = [
  entry('tiny', 'q5_1', 31),
  entry('tiny', 'q8_0', 42),
  entry('tiny', 'f16', 75, 'bd577a113a864445d4c299885e0cb97d4ba92b5f'),
  entry('base', 'q5_1', 57),
  entry('base', 'q8_0', 78),
  entry('base', 'f16', 142, '465707469ff3a37a2b9b8d8f89f2f99de7299dac'),
  entry('small', 'q5_1', 181),
  entry('small', 'q8_0', 252),
  entry('small', 'f16', 466, '55356645c2b361a969dfd0ef2c5a50d530afd8d5'),
  entry('medium', 'q5_0', 514),
  entry('medium', 'q8_0', 785),
  entry('medium', 'f16', 1533, 'fd9727b6e1217c2f614f9b698455c4ffd82463b4'),
  entry('large-v3-turbo', 'q5_0', 547),
  entry('large-v3-turbo', 'q8_0', 834),
  entry('large-v3-turbo', 'f16', 1549),
];

/** The catalog entry with this id, or undefined. */
export function findCatalogModel(id: string): CatalogModel | undefined {
  return MODEL_CATALOG.find((m) => m.id === id);
}

/** The catalog entry whose file name this is, or undefined (imported or generated files). */
export function catalogEntryForFile(file: string): CatalogModel | undefined {
  return MODEL_CATALOG.find((m) => m.file === file);
}
