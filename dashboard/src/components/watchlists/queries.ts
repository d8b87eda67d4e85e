/** The signed-in user's watchlists, one query shared by every page that lists them. */
import { useQuery } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";

export const WATCHLISTS_KEY = ["watchlists"] as const;

export function useWatchlists() {
  return useQuery({
    queryKey: WATCHLISTS_KEY,
    queryFn: ({ signal }) => api.get<Schemas["WatchlistList"]>("/api/watchlists", undefined, signal),
  });
}
