/**
 * Who the emails (and the survey page) come from: config `brand`. The config checks it at deploy time; what reaches
 * markup is checked again here, so a value that slipped through (an env var set by hand) cannot break out of a
 * style attribute or point an image at anything but https.
 */
export interface Brand {
  name: string;
  /** An https image, shown at most 160 × 48 px. */
  logoUrl?: string;
  /** The accent colour, `#rrggbb`. */
  color?: string;
}

/** The accent when the brand has none. */
export const DEFAULT_ACCENT = '#1f6feb';

const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

/** The brand's colour if it is a plain `#rrggbb`, else the default: safe inside a style attribute. */
export const accentOf = (brand: Brand | undefined): string =>
  brand?.color && HEX_COLOUR.test(brand.color) ? brand.color : DEFAULT_ACCENT;

/** The brand's logo if it is an https URL, else none. */
export function logoOf(brand: Brand | undefined): string | undefined {
  if (!brand?.logoUrl) return undefined;
  try {
    return new URL(brand.logoUrl).protocol === 'https:' ? brand.logoUrl : undefined;
  } catch {
    return undefined;
  }
}

/** A brand from its JSON (the BRAND env var); undefined when it is not one (a name is required). */
export function parseBrand(json: string | undefined): Brand | undefined {
  try {
    const raw = JSON.parse(json ?? '') as Record<string, unknown>;
    if (typeof raw.name !== 'string' || !raw.name.trim()) return undefined;
    return {
      name: raw.name,
      ...(typeof raw.logoUrl === 'string' ? { logoUrl: raw.logoUrl } : {}),
      ...(typeof raw.color === 'string' ? { color: raw.color } : {}),
    };
  } catch {
    return undefined;
  }
}
