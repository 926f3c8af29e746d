/**
 * The team's brand (config `brand`): who the survey page and the emails come from. The stack hands it to the
 * functions that show it as JSON (BRAND); what cannot be used safely is left out rather than failing the page.
 */
export interface Brand {
  name: string;
  /** An https image, shown at most 160 × 48 px. */
  logoUrl?: string;
  /** The accent colour, `#rrggbb`. */
  color?: string;
}

/** The brand without configuration (config.ts's default). */
export const DEFAULT_BRAND: Brand = { name: 'The Customer Team' };

const COLOR = /^#[0-9a-fA-F]{6}$/;

/** The brand from its JSON; the default when absent or unreadable; an unsafe logo URL or colour is dropped. */
export function parseBrand(json: string | undefined): Brand {
  let raw: unknown;
  try {
    raw = json ? JSON.parse(json) : undefined;
  } catch {
    raw = undefined;
  }
  if (typeof raw !== 'object' || raw === null) return DEFAULT_BRAND;
  const { name, logoUrl, color } = raw as Record<string, unknown>;
  const brand: Brand = { name: typeof name === 'string' && name.trim() ? name.trim().slice(0, 100) : DEFAULT_BRAND.name };
  if (typeof logoUrl === 'string' && logoUrl.length <= 2048 && logoOrigin(logoUrl)) brand.logoUrl = logoUrl;
  if (typeof color === 'string' && COLOR.test(color)) brand.color = color.toLowerCase();
  return brand;
}

/** The origin a logo loads from (for the pages' `img-src`): https only, else undefined. */
export function logoOrigin(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && !parsed.username && !parsed.password ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/** The text colour that reads on a background of this colour: dark on light colours, white on dark ones (WCAG luminance). */
export function inkOn(color: string): string {
  const channel = (i: number) => {
    const c = parseInt(color.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  // Contrast with white (1.05 / (L + 0.05)) against contrast with near-black (#10121a, L ≈ 0.006).
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.056 ? '#fff' : '#10121a';
}

/** The emails' accent when the brand has none. */
export const DEFAULT_ACCENT = '#1f6feb';

/** The brand's colour if it is a plain `#rrggbb`, else the default: safe inside a style attribute. */
export const accentOf = (brand: Brand | undefined): string =>
  brand?.color && COLOR.test(brand.color) ? brand.color : DEFAULT_ACCENT;

/** The brand's logo if it is an https URL, else none. */
export const logoOf = (brand: Brand | undefined): string | undefined =>
  brand?.logoUrl && logoOrigin(brand.logoUrl) ? brand.logoUrl : undefined;
