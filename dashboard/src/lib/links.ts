/**
 * Links that leave the dashboard. Feeds and scraped pages carry whatever link they like: only
 * an absolute http(s) URL may become an href (a relative link would open a dashboard route,
 * a `javascript:` or `data:` link would run in the dashboard's origin).
 */

/** The link as a safe href, or null when it must be shown as plain text. */
export function externalHref(link: string | null | undefined): string | null {
  if (!link) return null;
  try {
    const url = new URL(link.trim());
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}
