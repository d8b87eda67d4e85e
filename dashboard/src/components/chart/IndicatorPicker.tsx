/**
 * Adding or editing an indicator: the catalogue (searchable, grouped), then a small form of
 * its parameters bounded by the catalogue's min/max with the defaults filled in.
 */
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";
import { Button, inputClass } from "../ui";
import { defaultPlacement, formatParamValue, groupLabel, searchCatalog, type IndicatorInfo } from "./indicators";

export type Placement = "price" | "pane";

/** The catalogue's descriptions mark code the reStructuredText way (``nbdev``). */
function plain(text: string): string {
  return text.replace(/``/g, "");
}

export interface PickerInitial {
  info: IndicatorInfo;
  params: number[];
  placement: Placement;
}

function CatalogBrowser({ indicators, onPick }: {
  indicators: readonly IndicatorInfo[];
  onPick: (info: IndicatorInfo) => void;
}) {
  const [query, setQuery] = useState("");
  const groups = useMemo(() => searchCatalog(indicators, query), [indicators, query]);
  const count = groups.reduce((n, [, list]) => n + list.length, 0);
  return (
    <div>
      <input type="search" aria-label="Search indicators" placeholder="Search by name or description, e.g. rsi, bands, volume"
        value={query} onChange={(e) => setQuery(e.target.value)} autoFocus className={`w-full ${inputClass}`} />
      <p className="mt-1 text-xs text-slate-500 dark:text-slate-400" aria-live="polite">
        {count === 0 ? "No indicator matches; try fewer or other words." : `${count} indicators`}
      </p>
      <div className="mt-1 max-h-[50vh] overflow-y-auto pr-1">
        {groups.map(([group, list]) => (
          <section key={group} aria-label={groupLabel(group)} className="mb-2">
            <h3 className="sticky top-0 bg-white py-0.5 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:bg-slate-900 dark:text-slate-400">
              {groupLabel(group)}
            </h3>
            <ul>
              {list.map((info) => (
                <li key={info.name}>
                  <button type="button" onClick={() => onPick(info)}
                    className="w-full rounded px-2 py-1 text-left text-sm hover:bg-slate-100 focus-visible:bg-slate-100 dark:hover:bg-slate-800 dark:focus-visible:bg-slate-800">
                    <span className="font-medium">{info.display_name}</span>{" "}
                    <span className="text-xs text-slate-500 dark:text-slate-400">{info.name}</span>
                    <span className="block text-xs text-slate-500 dark:text-slate-400">{plain(info.description)}</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </div>
  );
}

function ParamsForm({ info, initial, submitLabel, onSubmit, onBack }: {
  info: IndicatorInfo;
  initial?: PickerInitial;
  submitLabel: string;
  onSubmit: (params: number[], placement: Placement) => void;
  onBack?: () => void;
}) {
  const id = useId();
  const [values, setValues] = useState<string[]>(() =>
    info.params.map((p, i) => String(initial?.params[i] ?? p.default)));
  const [placement, setPlacement] = useState<Placement>(initial?.placement ?? defaultPlacement(info));
  const firstRef = useRef<HTMLInputElement>(null);
  useEffect(() => firstRef.current?.focus(), []);

  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit(values.map(Number), placement);
  }
  return (
    <form onSubmit={submit} aria-label={`Parameters of ${info.display_name}`}>
      <p className="text-sm font-medium">{info.display_name} <span className="text-xs text-slate-500 dark:text-slate-400">{info.name}</span></p>
      <p className="text-xs text-slate-500 dark:text-slate-400">{plain(info.description)}</p>
      {info.params.length === 0 && <p className="mt-2 text-xs">No parameters.</p>}
      <div className="mt-2 grid gap-2 sm:grid-cols-2">
        {info.params.map((p, i) => (
          <div key={p.name}>
            <label htmlFor={`${id}-${p.name}`} className="block text-xs font-medium">{p.name}</label>
            <input id={`${id}-${p.name}`} ref={i === 0 ? firstRef : undefined} type="number" required
              min={p.min} max={p.max} step={p.type === "int" ? 1 : "any"} value={values[i]}
              aria-describedby={`${id}-${p.name}-hint`}
              onChange={(e) => setValues((v) => v.map((x, j) => (j === i ? e.target.value : x)))}
              className={`w-full ${inputClass}`} />
            <p id={`${id}-${p.name}-hint`} className="mt-0.5 text-[11px] text-slate-500 dark:text-slate-400">
              {plain(p.description)}{p.max < 1e30 ? ` (${formatParamValue(p.min)}–${formatParamValue(p.max)})` : ""}
            </p>
          </div>
        ))}
      </div>
      <fieldset className="mt-2 text-xs">
        <legend className="font-medium">Draw on</legend>
        <label className="mr-3"><input type="radio" name={`${id}-placement`} checked={placement === "price"}
          onChange={() => setPlacement("price")} /> the price chart</label>
        <label><input type="radio" name={`${id}-placement`} checked={placement === "pane"}
          onChange={() => setPlacement("pane")} /> a pane of its own</label>
      </fieldset>
      <div className="mt-3 flex gap-2">
        <Button type="submit">{submitLabel}</Button>
        {onBack && <Button variant="secondary" onClick={onBack}>Back to the list</Button>}
      </div>
    </form>
  );
}

/** The picker panel; `initial` opens it on one indicator's form (editing). */
export function IndicatorPicker({ indicators, initial, onSubmit, onClose }: {
  indicators: readonly IndicatorInfo[];
  initial?: PickerInitial;
  onSubmit: (info: IndicatorInfo, params: number[], placement: Placement) => void;
  onClose: () => void;
}) {
  const [chosen, setChosen] = useState<IndicatorInfo | null>(initial?.info ?? null);
  return (
    <section role="dialog" aria-label={initial ? `Edit ${initial.info.display_name}` : "Add indicator"}
      onKeyDown={(e) => { if (e.key === "Escape") onClose(); }}
      className="mb-2 rounded-lg border border-slate-200 bg-white p-3 shadow-sm dark:border-slate-700 dark:bg-slate-900">
      <div className="mb-2 flex items-center justify-between">
        <h2 className="text-sm font-semibold">{initial ? "Edit indicator" : "Add an indicator"}</h2>
        <button type="button" onClick={onClose} aria-label="Close the indicator picker"
          className="rounded px-2 text-slate-500 hover:bg-slate-100 dark:text-slate-400 dark:hover:bg-slate-800">✕</button>
      </div>
      {chosen ? (
        <ParamsForm key={chosen.name} info={chosen} initial={initial?.info.name === chosen.name ? initial : undefined}
          submitLabel={initial ? "Apply" : "Add"}
          onSubmit={(params, placement) => onSubmit(chosen, params, placement)}
          onBack={initial ? undefined : () => setChosen(null)} />
      ) : (
        <CatalogBrowser indicators={indicators} onPick={setChosen} />
      )}
    </section>
  );
}
