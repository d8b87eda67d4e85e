/** A universe of symbols: an NSE index, one of the user's watchlists, or symbols typed. */
import type { Schemas } from "../../api/client";
import { Field } from "./Field";
import { INDICES, type Universe } from "./form";

export const TYPED = "typed";

export function UniverseSelect({ label, value, onChange, watchlists, error }: {
  label: string;
  value: Universe;
  onChange: (value: Universe) => void;
  watchlists: Schemas["Watchlist"][];
  error?: string;
}) {
  return (
    <>
      <Field label={label} error={value.source === TYPED ? undefined : error}>
        {(p) => (
          <select {...p} value={value.source} onChange={(e) => onChange({ ...value, source: e.target.value })}>
            {INDICES.map((i) => <option key={i} value={i}>{i}</option>)}
            {watchlists.map((w) => (
              <option key={w.id} value={`list:${w.id}`} disabled={w.symbols.length < 2}>watchlist: {w.name} ({w.symbols.length})</option>
            ))}
            <option value={TYPED}>symbols typed below</option>
          </select>
        )}
      </Field>
      {value.source === TYPED && (
        <Field label={`${label}: symbols`} error={error} help="Comma-separated, e.g. TCS, INFY, ITC.">
          {(p) => <input {...p} value={value.symbols} spellCheck={false} autoComplete="off"
            onChange={(e) => onChange({ ...value, symbols: e.target.value })} />}
        </Field>
      )}
    </>
  );
}
