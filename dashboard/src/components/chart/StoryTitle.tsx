/** A story's headline: a link out when the feed gave a safe http(s) link, plain text otherwise. */
import { externalHref } from "../../lib/links";

export function StoryTitle({ title, link }: { title: string; link: string | null | undefined }) {
  const href = externalHref(link);
  if (!href) return <span>{title}</span>;
  return (
    <a href={href} target="_blank" rel="noreferrer noopener" className="text-sky-700 hover:underline dark:text-sky-400">
      {title}
    </a>
  );
}
