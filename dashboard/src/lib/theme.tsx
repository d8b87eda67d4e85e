/** Dark and light themes: a class on <html>, remembered in localStorage. */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";

export type Theme = "dark" | "light";
const KEY = "chitti.theme";

export function initialTheme(): Theme {
  const saved = localStorage.getItem(KEY);
  if (saved === "dark" || saved === "light") return saved;
  return window.matchMedia?.("(prefers-color-scheme: light)").matches ? "light" : "dark";
}

export function applyTheme(theme: Theme): void {
  document.documentElement.classList.toggle("dark", theme === "dark");
  document.documentElement.style.colorScheme = theme;
}

function useThemeState(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  useEffect(() => {
    applyTheme(theme);
    localStorage.setItem(KEY, theme);
  }, [theme]);
  const toggle = useCallback(() => setTheme((t) => (t === "dark" ? "light" : "dark")), []);
  return [theme, toggle];
}

/**
 * Colours the canvas charts need, which CSS classes cannot reach. `up`/`down` are candles and
 * markers; the translucent variants are volume bars (faint, under the candles) and histogram
 * columns (MACD histogram, pattern signals); `neutral` is a neutral alert or mixed news.
 */
export function chartColors(theme: Theme) {
  return theme === "dark"
    ? {
      background: "#020617", text: "#cbd5e1", grid: "#1e293b", up: "#22c55e", down: "#ef4444", neutral: "#94a3b8",
      volumeUp: "rgba(34, 197, 94, 0.35)", volumeDown: "rgba(239, 68, 68, 0.35)",
      histUp: "rgba(34, 197, 94, 0.6)", histDown: "rgba(239, 68, 68, 0.6)",
    }
    : {
      background: "#ffffff", text: "#334155", grid: "#e2e8f0", up: "#16a34a", down: "#dc2626", neutral: "#64748b",
      volumeUp: "rgba(22, 163, 74, 0.3)", volumeDown: "rgba(220, 38, 38, 0.3)",
      histUp: "rgba(22, 163, 74, 0.65)", histDown: "rgba(220, 38, 38, 0.65)",
    };
}

const ThemeContext = createContext<[Theme, () => void]>(["dark", () => {}]);

export function ThemeProvider({ children }: { children: ReactNode }) {
  const value = useThemeState();
  return <ThemeContext.Provider value={value}>{children}</ThemeContext.Provider>;
}

/** The current theme and its toggle. */
export function useTheme(): [Theme, () => void] {
  return useContext(ThemeContext);
}
