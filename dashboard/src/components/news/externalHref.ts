/** Only absolute http(s) links leave the dashboard: a feed can carry a relative or a `javascript:` link. */
export function externalHref(link: string | null | undefined): string | null {
  if (!link) return null;
  try {
    const url = new URL(link);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}
