/**
 * The nested sections of the research replies. OpenAPI types them as JSON objects (their
 * layouts are each domain module's `to_dict`), so their fields are written out here once,
 * from the Python that makes them: `compute/risk/report.py`, `risk/var.py`, `risk/stress.py`,
 * `risk/measures.py` and `compute/ml/report.py`. Undefined numbers are `null`.
 */
import type { Schemas } from "../../api/client";

export type OptimizeBody = Schemas["OptimizeRequest"];
export type PortfolioReply = Schemas["PortfolioReply"];
export type RiskBody = Schemas["RiskRequest"];
export type RiskReply = Schemas["RiskReply"];
export type TrainBody = Schemas["TrainRequest"];
export type TrainResult = Schemas["TrainResult"];
export type ModelInfo = Schemas["ModelInfo"];
export type PredictBody = Schemas["PredictRequest"];
export type PredictResult = Schemas["PredictResult"];
export type Index = NonNullable<TrainBody["index"]>;

/** `risk/var.py` VarEstimate.to_dict: positive loss fractions of the portfolio value. */
export interface VarRow {
  method: "historical" | "parametric" | "monte_carlo";
  confidence: number;
  horizon_days: number;
  var_fraction: number | null;
  cvar_fraction: number | null;
  var_inr: number | null;
  cvar_inr: number | null;
  components_fraction?: Record<string, number | null>;
}

/** `risk/measures.py` Drawdown.to_dict: a positive fraction and ISO dates. */
export interface DrawdownInfo {
  drawdown_fraction: number | null;
  peak_date: string | null;
  trough_date: string | null;
  recovery_date: string | null;
}

export interface PositionRisk {
  symbol: string;
  weight: number;
  value_inr: number | null;
  annual_volatility_fraction: number | null;
  beta: number | null;
  variance_contribution_fraction: number | null;
}

export interface StressAsset {
  symbol: string;
  weight: number;
  weight_used: number;
  treatment: string;
  return_fraction: number | null;
  contribution_fraction: number | null;
  proxy_beta: number | null;
}

/** `risk/stress.py` StressResult.to_dict: one episode replayed on today's weights. */
export interface StressRow {
  key: string;
  name: string;
  start: string;
  end: string;
  description: string;
  source: string;
  status: "ok" | "no_data";
  reason: string | null;
  first_date: string | null;
  last_date: string | null;
  return_fraction: number | null;
  max_drawdown: DrawdownInfo;
  worst_day: { date: string | null; return_fraction: number | null };
  benchmark_return_fraction: number | null;
  missing_treatment: string | null;
  missing_symbols: string[];
  assets: StressAsset[];
}

export interface Correlation {
  symbols: string[];
  matrix: (number | null)[][];
}

/** The risk reply with its JSON-object sections typed. */
export interface RiskView extends Omit<RiskReply, "var" | "max_drawdown" | "positions" | "stress" | "correlation" | "window"> {
  window: { start: string | null; end: string | null; return_days: number };
  var: VarRow[];
  max_drawdown: DrawdownInfo;
  positions: PositionRisk[];
  stress: StressRow[];
  correlation: Correlation;
}

export function riskView(reply: RiskReply): RiskView {
  return reply as unknown as RiskView;
}

/** `ml/report.py` FoldRow.to_dict: one score's out-of-sample figures in one test window. */
export interface FoldRow {
  name: string;
  /** A fold's number, or "all" for the row pooling every test window. */
  fold: number | "all";
  train_start: string | null;
  train_end: string | null;
  test_start: string | null;
  test_end: string | null;
  n_train: number;
  n_test: number;
  ic_mean: number | null;
  ic_std: number | null;
  ic_t_stat: number | null;
  rank_ic_mean: number | null;
  rank_ic_std: number | null;
  rank_ic_t_stat: number | null;
  n_dates: number | null;
  accuracy: number | null;
  auc: number | null;
}

/** The backtest engine's metrics of a score's top-k portfolio, or why it was skipped. */
export type ScoreBacktest = {
  skipped?: string;
  total_return_pct?: number | null;
  cagr_pct?: number | null;
  sharpe_ratio?: number | null;
  max_drawdown_pct?: number | null;
  total_costs_inr?: number | null;
  trade_count?: number | null;
} & Record<string, number | string | null | undefined>;

/** `ml/report.py` TrainReport.to_dict. */
export interface TrainReport {
  target: string;
  horizon_days: number;
  estimator: string;
  feature_names: string[];
  symbols: string[];
  data_start: string | null;
  data_end: string | null;
  folds: FoldRow[];
  baselines: Record<string, FoldRow[]>;
  summary: Record<string, FoldRow>;
  feature_importance: Record<string, number> | null;
  backtests: Record<string, ScoreBacktest>;
}

export function trainReport(result: TrainResult): TrainReport {
  return result.report as unknown as TrainReport;
}

/** A model's pooled out-of-sample rows (model and baselines) and backtests, from the list. */
export function modelSummary(model: ModelInfo): { summary: Record<string, FoldRow>; backtests: Record<string, ScoreBacktest> } {
  return {
    summary: (model.summary ?? {}) as unknown as Record<string, FoldRow>,
    backtests: (model.backtests ?? {}) as unknown as Record<string, ScoreBacktest>,
  };
}
