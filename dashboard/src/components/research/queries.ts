/** The Research page's reads. Mutations (optimise, risk, train, predict) live with their panels. */
import { useQuery } from "@tanstack/react-query";
import { api, type Schemas } from "../../api/client";

export const MODELS_KEY = ["ml-models"] as const;

/** Every registered model version, newest first per name. */
export function useModels() {
  return useQuery({
    queryKey: MODELS_KEY,
    queryFn: ({ signal }) => api.get<Schemas["ModelList"]>("/api/ml/models", undefined, signal),
  });
}
