/** A small SVG line of recent closes, green when the last is above the first. */
export function sparkPath(values: number[], width: number, height: number): string {
  if (values.length < 2) return "";
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const step = width / (values.length - 1);
  return values
    .map((v, i) => `${i === 0 ? "M" : "L"}${(i * step).toFixed(1)},${(height - ((v - min) / span) * height).toFixed(1)}`)
    .join(" ");
}

export function Sparkline({ values, width = 96, height = 24 }: { values: number[]; width?: number; height?: number }) {
  if (values.length < 2) return <span className="text-xs text-slate-400">—</span>;
  const up = values[values.length - 1] >= values[0];
  return (
    <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img"
      aria-label={`${values.length} closes, ${up ? "up" : "down"} over the period`}>
      <path d={sparkPath(values, width, height - 2)} fill="none" strokeWidth={1.5}
        className={up ? "stroke-emerald-500" : "stroke-rose-500"} transform="translate(0,1)" />
    </svg>
  );
}
