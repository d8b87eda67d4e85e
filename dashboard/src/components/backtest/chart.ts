/** One lightweight-charts chart per container, sized by the container and following the theme. */
import { useEffect, useRef, useState, type RefObject } from "react";
import { ColorType, createChart, type IChartApi, type Time } from "lightweight-charts";
import { formatDateIST, formatDateTimeIST } from "../../lib/format";
import { chartColors, useTheme } from "../../lib/theme";

/** The crosshair's date: business days as IST dates, intraday seconds (shifted to IST) as times. */
export function formatChartTime(time: Time): string {
  if (typeof time === "number") return formatDateTimeIST((time - 19800) * 1000);
  if (typeof time === "string") return formatDateIST(time);
  const pad = (n: number) => String(n).padStart(2, "0");
  return formatDateIST(`${time.year}-${pad(time.month)}-${pad(time.day)}`);
}

/**
 * Creates the chart once the container is mounted and removes it on unmount; re-applies
 * the theme's colours when the theme changes. Returns the chart (null until created).
 */
export function useThemedChart(container: RefObject<HTMLDivElement | null>,
  priceFormatter: (price: number) => string, intraday: boolean): IChartApi | null {
  const [theme] = useTheme();
  const [chart, setChart] = useState<IChartApi | null>(null);
  const formatter = useRef(priceFormatter);
  formatter.current = priceFormatter;

  useEffect(() => {
    if (!container.current) return;
    const created = createChart(container.current, {
      autoSize: true,
      localization: {
        priceFormatter: (p: number) => formatter.current(p),
        timeFormatter: formatChartTime,
      },
      // one width for every chart of the page, so stacked charts line their dates up
      rightPriceScale: { borderVisible: false, minimumWidth: 84 },
      // a long daily history must fit a phone's width too
      timeScale: { borderVisible: false, timeVisible: intraday, secondsVisible: false, minBarSpacing: 0.01 },
      handleScroll: { vertTouchDrag: false },
    });
    // data set before autoSize has measured the box would be fitted to a zero width
    let lastWidth = 0;
    const refit = (width: number) => {
      if (lastWidth === 0 && width > 0) created.timeScale().fitContent();
      lastWidth = width;
    };
    created.timeScale().subscribeSizeChange(refit);
    setChart(created);
    return () => {
      created.timeScale().unsubscribeSizeChange(refit);
      setChart(null);
      created.remove();
    };
  }, [container, intraday]);

  useEffect(() => {
    if (!chart) return;
    const c = chartColors(theme);
    chart.applyOptions({
      layout: { background: { type: ColorType.Solid, color: c.background }, textColor: c.text },
      grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
    });
  }, [chart, theme]);

  return chart;
}

/** Series colours that read on both backgrounds. */
export function seriesColors(theme: "dark" | "light") {
  return theme === "dark"
    ? { equity: "#38bdf8", benchmark: "#fbbf24", drawdown: "#fb7185", drawdownFill: "rgba(251, 113, 133, 0.35)" }
    : { equity: "#0369a1", benchmark: "#b45309", drawdown: "#e11d48", drawdownFill: "rgba(225, 29, 72, 0.25)" };
}
