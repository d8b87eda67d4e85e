/** Pages of `GET /api/news` for the current filters, newest first, fetched as the list scrolls. */
import { useMemo } from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";
import { newsQuery, type NewsFilters } from "./newsFilters";

export type Article = Schemas["Article"];
type ArticlePage = Schemas["ArticlePage"];

export const NEWS_PAGE_SIZE = 25;
/** The gateway refuses offsets beyond this. */
const MAX_OFFSET = 100_000;

export function useNewsFeed(filters: NewsFilters) {
  const query = useInfiniteQuery({
    queryKey: ["news", filters],
    initialPageParam: 0,
    queryFn: ({ pageParam, signal }) =>
      api.get<ArticlePage>("/api/news", newsQuery(filters, pageParam, NEWS_PAGE_SIZE), signal),
    // A short page is the last one.
    getNextPageParam: (last, _pages, offset) => {
      const next = offset + last.articles.length;
      return last.articles.length < NEWS_PAGE_SIZE || next > MAX_OFFSET ? undefined : next;
    },
  });

  // Offsets shift when new stories arrive between two pages, so a story can come twice.
  const articles = useMemo(() => {
    const seen = new Set<number>();
    const out: Article[] = [];
    for (const page of query.data?.pages ?? []) {
      for (const article of page.articles) {
        if (!seen.has(article.id)) {
          seen.add(article.id);
          out.push(article);
        }
      }
    }
    return out;
  }, [query.data]);

  return { ...query, articles };
}
