/**
 * The whisper.cpp ggml models Tarjuman offers, as published at https://huggingface.co/ggerganov/whisper.cpp
 * (the files `models/download-ggml-model.sh` of whisper.cpp fetches). Multilingual only: the booth needs ar/en/ru.
 *
 * Checksums: the model card of huggingface.co/ggerganov/whisper.cpp (its README.md table, the same table as
 * whisper.cpp's models/README.md) publishes SHA-1, not SHA-256, for every file listed here, quantized ones
 * included; those are here as `sha1`. No SHA-256 is published, and Hugging Face's per-file SHA-256 could not be
 * fetched from this offline build machine, so `sha256` is left undefined rather than invented (a download
 * reports the SHA-256 it computed). A download is verified by every checksum the entry has, and always by the
 * structural check of models/validate.ts
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
  /** SHA-1 published on the model card (every catalog file has one). */
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
  entry('tiny', 'q5_1', 31, '2827a03e495b1ed3048ef28a6a4620537db4ee51'),
  entry('tiny', 'q8_0', 42, '19e8118f6652a650569f5a949d962154e01571d9'),
  entry('tiny', 'f16', 75, 'bd577a113a864445d4c299885e0cb97d4ba92b5f'),
  entry('base', 'q5_1', 57, 'a3733eda680ef76256db5fc5dd9de8629e62c5e7'),
  entry('base', 'q8_0', 78, '7bb89bb49ed6955013b166f1b6a6c04584a20fbe'),
  entry('base', 'f16', 142, '465707469ff3a37a2b9b8d8f89f2f99de7299dac'),
  entry('small', 'q5_1', 181, '6fe57ddcfdd1c6b07cdcc73aaf620810ce5fc771'),
  entry('small', 'q8_0', 252, 'bcad8a2083f4e53d648d586b7dbc0cd673d8afad'),
  entry('small', 'f16', 466, '55356645c2b361a969dfd0ef2c5a50d530afd8d5'),
  entry('medium', 'q5_0', 514, '7718d4c1ec62ca96998f058114db98236937490e'),
  entry('medium', 'q8_0', 785, 'e66645948aff4bebbec71b3485c576f3d63af5d6'),
  entry('medium', 'f16', 1533, 'fd9727b6e1217c2f614f9b698455c4ffd82463b4'),
  entry('large-v3-turbo', 'q5_0', 547, 'e050f7970618a659205450ad97eb95a18d69c9ee'),
  entry('large-v3-turbo', 'q8_0', 834, '01bf15bedffe9f39d65c1b6ff9b687ea91f59e0e'),
  entry('large-v3-turbo', 'f16', 1549, '4af2b29d7ec73d781377bfd1758ca957a807e941'),
];

/** The catalog entry with this id, or undefined. */
export function findCatalogModel(id: string): CatalogModel | undefined {
  return MODEL_CATALOG.find((m) => m.id === id);
}

/** The catalog entry whose file name this is, or undefined (imported or generated files). */
export function catalogEntryForFile(file: string): CatalogModel | undefined {
  return MODEL_CATALOG.find((m) => m.file === file);
}
