/** The model registry (GET /api/ml/models): each version's record against the baselines. */
import type { Schemas } from "../../api/client";
import { Empty, ErrorBox, Spinner } from "../ui";
import { ModelCard } from "./ModelCard";
import { useModels } from "./queries";

export function ModelsPanel({ canPredict, watchlists }: { canPredict: boolean; watchlists: Schemas["Watchlist"][] }) {
  const models = useModels();
  if (models.isPending) return <Spinner label="Loading models…" />;
  if (models.error) {
    return <ErrorBox error={models.error} retry={() => models.refetch()}
      hint="The model registry comes from the compute service; check System." />;
  }
  const list = models.data.models;
  if (list.length === 0) {
    return (
      <Empty title="No models registered yet">
        {canPredict ? "Train one below (or run chitti ml train)." : "A trader can train one here, or run chitti ml train."}
      </Empty>
    );
  }
  return (
    <div data-testid="model-list">
      {list.map((model) => <ModelCard key={model.id} model={model} canPredict={canPredict} watchlists={watchlists} />)}
    </div>
  );
}
