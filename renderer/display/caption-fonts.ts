/**
 * The caption faces, shipped with the page so a venue PC without Arabic or Cyrillic fonts still renders:
 * Noto Sans (Latin and Cyrillic subsets) and Noto Sans Arabic (Arabic subset), from the @fontsource packages.
 * Importing the woff2 files makes vite bundle them as assets; each face is registered with its subset's
 * unicode-range (from the package's CSS), so the browser picks the right file per character.
 */
import notoSansLatin from '@fontsource/noto-sans/files/noto-sans-latin-500-normal.woff2';
import notoSansCyrillic from '@fontsource/noto-sans/files/noto-sans-cyrillic-500-normal.woff2';
import notoSansArabic from '@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-500-normal.woff2';

/** The CSS font-family of caption text: Latin and Cyrillic from Noto Sans, Arabic from Noto Sans Arabic. */
export const CAPTION_FONT_FAMILY = "'Noto Sans', 'Noto Sans Arabic', sans-serif";

/** The weight the faces are shipped in (medium reads better from the back of a hall than regular). */
export const CAPTION_FONT_WEIGHT = '500';

const FACES: ReadonlyArray<{ family: string; url: string; unicodeRange: string }> = [
  {
    family: 'Noto Sans',
    url: notoSansLatin,
    unicodeRange:
      'U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD',
  },
  { family: 'Noto Sans', url: notoSansCyrillic, unicodeRange: 'U+0301,U+0400-045F,U+0490-0491,U+04B0-04B1,U+2116' },
  {
    family: 'Noto Sans Arabic',
    url: notoSansArabic,
    unicodeRange:
      'U+0600-06FF,U+0750-077F,U+0870-088E,U+0890-0891,U+0897-08E1,U+08E3-08FF,U+200C-200E,U+2010-2011,U+204F,U+2E41,U+FB50-FDFF,U+FE70-FE74,U+FE76-FEFC',
  },
];

/**
 * Registers the caption faces with the document and starts loading them (they are small: about 70 kB in all).
 * Resolves when they are loaded; a face that fails to load is reported and the system fallback is used.
 */
export async function registerCaptionFonts(fonts: FontFaceSet = document.fonts): Promise<void> {
  const faces = FACES.map(
    (face) =>
      new FontFace(face.family, `url(${face.url}) format('woff2')`, {
        weight: CAPTION_FONT_WEIGHT,
        style: 'normal',
        display: 'swap',
        unicodeRange: face.unicodeRange,
      }),
  );
  for (const face of faces) fonts.add(face);
  const results = await Promise.allSettled(faces.map((face) => face.load()));
  results.forEach((result, i) => {
    if (result.status === 'rejected') console.warn(`caption font ${FACES[i]?.family} did not load`, result.reason);
  });
}
