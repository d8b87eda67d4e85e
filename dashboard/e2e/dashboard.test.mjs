// The dashboard in headless Chromium (Debian's package, driven by playwright-core) against a
// running system. Started by tests/e2e/test_dashboard.py, which passes the system's address
// and credentials in CHITTI_* variables and checks the values written to readback.json
// against TA-Lib and the API. Every page leaves a screenshot in CHITTI_ARTIFACTS.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const BASE = process.env.CHITTI_URL;
const ARTIFACTS = process.env.CHITTI_ARTIFACTS;
const API_KEY = process.env.CHITTI_API_KEY;
const CHART = "/chart/RELIANCE?range=5Y";
const readback = { steps: [], chart: null, chart_ready_ms: [] };

let browser;
let admin; // a logged-in admin page

async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}

async function api(path, body, method = body ? "POST" : "GET") {
  const response = await fetch(BASE + path, {
    method,
    headers: { "X-API-Key": API_KEY, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = response.status === 204 ? null : await response.json(); // DELETE answers 204
  assert.ok(response.ok, `${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Indian digit grouping from its definition (last three digits, then pairs), not Intl. */
function indianRupees(value) {
  const [integer, fraction] = Math.abs(value).toFixed(2).split(".");
  const head = integer.slice(0, -3).replace(/\B(?=(\d{2})+(?!\d))/g, ",");
  return `${value < 0 ? "-" : ""}₹${head ? `${head},` : ""}${integer.slice(-3)}.${fraction}`;
}

async function login(page, user, password) {
  await page.goto(BASE + "/login");
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

async function newPage(viewport = { width: 1280, height: 800 }) {
  // a zone far from IST: every time shown must still be IST; dark until a test switches
  const context = await browser.newContext({ viewport, timezoneId: "Europe/London", colorScheme: "dark" });
  return context.newPage();
}

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHITTI_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  writeFileSync(join(ARTIFACTS, "readback.json"), JSON.stringify(readback));
  await browser?.close();
});

test("an admin logs in and the session survives a reload", async () => {
  admin = await newPage();
  await admin.goto(BASE + "/");
  await admin.waitForURL(/\/login/);
  await shot(admin, "01-login");
  await login(admin, process.env.CHITTI_ADMIN, process.env.CHITTI_ADMIN_PASSWORD);
  await admin.getByTestId("whoami").waitFor();
  assert.match(await admin.getByTestId("whoami").innerText(), new RegExp(process.env.CHITTI_ADMIN));
  await admin.reload();
  await admin.getByTestId("whoami").waitFor();
  assert.equal(new URL(admin.url()).pathname, "/");
  readback.steps.push("login");
});

test("a watchlist of the demo stocks shows their last prices and day change", async () => {
  await admin.getByRole("button", { name: /Create a list of the \d+ stocks with prices/ }).click();
  await admin.getByTestId("watchlist-row").first().waitFor();
  const symbols = await admin.getByTestId("watchlist-row").evaluateAll((rows) => rows.map((r) => r.dataset.symbol));
  assert.ok(symbols.length >= 10, `rows: ${symbols}`);
  // the row's price is the last adjusted close of the bars, in Indian grouping
  for (const symbol of ["TCS", "HINDUNILVR"]) {
    const bars = await api(`/api/market/${symbol}/ohlcv?start=2021-01-01`);
    const expected = indianRupees(bars.close.at(-1));
    const shown = await admin.locator(`[data-testid="watchlist-row"][data-symbol="${symbol}"]`).innerText();
    assert.ok(shown.includes(expected), `${shown} lacks ${expected}`);
  }
  await shot(admin, "02-watchlists");
  readback.steps.push("watchlist");
});

test("the chart draws RELIANCE with RSI and Bollinger bands added from the catalogue", async () => {
  await admin.goto(BASE + CHART);
  await admin.waitForSelector('[data-testid="price-chart"][data-ready="true"]', { timeout: 120_000 });
  for (const [query, name] of [["rsi", "Relative Strength Index"], ["bbands", "Bollinger Bands"]]) {
    await admin.getByRole("button", { name: "Add indicator" }).click();
    await admin.getByLabel("Search indicators").fill(query);
    await admin.getByRole("button", { name: new RegExp(`^${name}`) }).first().click();
    await admin.getByRole("button", { name: "Add", exact: true }).click();
  }
  await admin.waitForFunction(() => {
    const s = window.__chitti?.series ?? {};
    return Object.keys(s).some((k) => k.startsWith("rsi:")) && Object.keys(s).some((k) => k.startsWith("bbands:"));
  }, null, { timeout: 120_000 });
  await admin.waitForSelector('[data-testid="price-chart"][data-ready="true"]', { timeout: 120_000 });
  const url = new URL(admin.url());
  assert.equal(url.pathname, "/chart/RELIANCE");
  const readSeries = () => admin.evaluate(() => {
    const { series } = window.__chitti;
    const key = (prefix, output) => Object.keys(series).find((k) => k.startsWith(prefix) && k.endsWith(`.${output}`));
    const data = (k) => series[k].data().map((p) => ({ time: p.time, value: p.value, close: p.close }));
    return {
      keys: Object.keys(series),
      candles: data("candles"),
      rsi: data(key("rsi:14", "rsi")),
      bb_upper: data(key("bbands:20", "upperband")),
      bb_middle: data(key("bbands:20", "middleband")),
      bb_lower: data(key("bbands:20", "lowerband")),
    };
  });
  const drawn = await readSeries();
  assert.ok(drawn.candles.length > 1000, `only ${drawn.candles.length} candles`);
  readback.chart = { symbol: "RELIANCE", ...drawn };
  await shot(admin, "03-chart-rsi-bollinger");
  // the URL holds the indicators: a reload draws the same chart
  await admin.reload();
  await admin.waitForSelector('[data-testid="price-chart"][data-ready="true"]');
  const again = await readSeries();
  assert.deepEqual([...again.keys].sort(), [...drawn.keys].sort());
  readback.chart_reloaded = { symbol: "RELIANCE", ...again }; // a later visit loads less history
  readback.steps.push("chart");
  readback.chart_url = url.pathname + url.search;
});

test("the chart with five years and three indicators is interactive within 1.5 s", async () => {
  const page = await newPage();
  await page.context().addCookies(await admin.context().cookies());
  // five years of daily bars with RSI, Bollinger bands and SMA(50)
  const target = new URL(BASE + readback.chart_url);
  const withSma = target.searchParams.get("ov") ? `${target.searchParams.get("ov")},sma:50` : "sma:50";
  target.searchParams.set("ov", withSma);
  for (let run = 0; run < 4; run += 1) {
    await page.goto(target.toString());
    await page.waitForSelector('[data-testid="price-chart"][data-ready="true"]', { timeout: 20_000 });
    const ms = await page.evaluate(() => performance.getEntriesByName("chart-ready")[0]?.startTime);
    assert.ok(typeof ms === "number", "performance mark chart-ready");
    const count = await page.evaluate(() => Object.keys(window.__chitti.series).filter((k) => k.includes(":")).length);
    assert.ok(count >= 5, `indicator series drawn: ${count}`); // RSI 1, Bollinger 3, SMA 1
    if (run > 0) readback.chart_ready_ms.push(Math.round(ms)); // run 0 warms the server
  }
  await page.close();
  readback.steps.push("timing");
});

test("an alert raised during the test appears in the live panel within 2 s", async () => {
  await admin.goto(BASE + "/");
  await admin.waitForSelector('[data-testid="stream-state"][data-state="live"]');
  const name = `e2e_${Date.now().toString(36)}`;
  await api("/api/signals/rules", { definition: {
    name, direction: "bullish", description: "browser test: fires on every bar",
    indicators: {}, condition: { op: "gt", left: "close", right: 0 },
    explanation: "{symbol} closed at {close:.2f} (browser test rule)", cooldown_bars: 0, impact: 0.9,
  } });
  let report;
  try {
    report = await api("/api/signals/generate", { symbol: "TCS", rules: [name], store: true });
  } finally {
    // the system is shared with other suites: a rule firing on every bar must not outlive this
    await api(`/api/signals/rules/${name}`, undefined, "DELETE");
  }
  assert.ok(report.stored_ids.length >= 1, JSON.stringify(report));
  // from the alert being stored (generate has answered) to its row on the open page; the
  // 2 s budget is asserted by test_dashboard.py, which prints the figure
  const stored = Date.now();
  const id = report.stored_ids.at(-1);
  const row = `[data-testid="alert-row"][data-alert-id="${id}"]`;
  try {
    await admin.waitForSelector(row, { timeout: 15_000 });
  } catch (error) {
    const state = await admin.getByTestId("stream-state").getAttribute("data-state");
    throw new Error(`alert ${id} not in the live panel after 15 s (stream ${state}): ${error}`);
  }
  const latency = Date.now() - stored;
  readback.alert_latency_ms = latency;
  await shot(admin, "04-watchlists-live-alert");
  // clicking it opens the chart at that bar with the explanation
  await admin.locator(`[data-testid="alert-row"][data-alert-id="${id}"] a`).first().click();
  await admin.waitForURL(/\/chart\/TCS\?.*alert=/);
  await admin.getByText("browser test rule").first().waitFor();
  await shot(admin, "05-chart-alert-detail");
  readback.steps.push("live-alert");
});

test("a backtest shows its equity curve against NIFTY 50 and its trades", async () => {
  await admin.goto(BASE + "/backtest");
  await admin.getByLabel("Strategy").waitFor();
  await admin.getByLabel("Symbols").fill("RELIANCE");
  await admin.getByRole("button", { name: "Run backtest" }).click();
  await admin.waitForSelector('[data-testid="equity-chart"][data-points]', { timeout: 60_000 });
  const points = Number(await admin.getByTestId("equity-chart").getAttribute("data-points"));
  assert.ok(points > 100, `equity points: ${points}`);
  const trades = await admin.getByTestId("trade-row").count();
  assert.ok(trades > 0, "trades listed");
  const equity = await admin.evaluate(() => window.__chitti_backtest);
  assert.equal(equity.equity.length, points);
  assert.ok(equity.benchmark.length > 0, "benchmark drawn");
  await admin.getByTestId("metrics").waitFor();
  await shot(admin, "06-backtest");
  await admin.waitForSelector('[data-testid="equity-chart"][data-benchmark="ready"]');
  const drawnLines = await admin.evaluate(() => window.__chitti_backtest);
  const id = Number(new URL(admin.url()).pathname.split("/").at(-1));
  assert.ok(id > 0, `the URL names the stored backtest: ${admin.url()}`);
  readback.backtest = { id, trades, ...drawnLines };
  readback.steps.push("backtest");
});

test("a screen over NIFTY 50 lists every constituent with prices, matched ones first", async () => {
  await admin.goto(BASE + "/screener");
  await admin.getByLabel("Universe").selectOption("NIFTY 50");
  const started = Date.now();
  await admin.getByRole("button", { name: "Run screen" }).click();
  await admin.getByTestId("screen-results").waitFor({ timeout: 30_000 });
  readback.screen_ms = Date.now() - started;
  const rows = await admin.getByTestId("screen-row").count();
  const constituents = (await api("/api/market/symbols?index=NIFTY%2050&with_prices=true&limit=100")).symbols
    .filter((s) => s.bar_count > 0).length;
  assert.equal(rows, constituents, "one row per NIFTY 50 stock with prices");
  await shot(admin, "07-screener");
  readback.steps.push("screener");
});

test("news and system pages show real articles and healthy services", async () => {
  await admin.goto(BASE + "/news");
  const first = admin.getByTestId("news-article").first();
  await first.waitFor({ timeout: 20_000 });
  readback.news_first = { id: Number(await first.getAttribute("data-article-id")), text: await first.innerText() };
  await shot(admin, "08-news");
  await admin.goto(BASE + "/system");
  await admin.getByTestId("health-db").waitFor();
  await admin.getByTestId("users-table").waitFor();
  await shot(admin, "09-system");
  readback.steps.push("news-system");
});

test("a viewer cannot reach admin pages and sees no run button", async () => {
  const page = await newPage();
  await login(page, process.env.CHITTI_VIEWER, process.env.CHITTI_VIEWER_PASSWORD);
  assert.equal(await page.getByRole("link", { name: "System" }).count(), 0);
  await page.goto(BASE + "/system");
  await page.getByText("This page needs the admin role").waitFor();
  await shot(page, "10-viewer-system-refused");
  await page.goto(BASE + "/");
  await page.getByText("A trader or admin can create watchlists").waitFor();
  assert.equal(await page.getByRole("button", { name: /Create/ }).count(), 0);
  await page.goto(BASE + "/screener");
  await page.getByRole("button", { name: "Run screen" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Save as alert rule" }).count(), 0);
  await page.goto(BASE + "/backtest");
  await page.getByTestId("viewer-note").waitFor();
  assert.equal(await page.getByRole("button", { name: "Run sweep" }).count(), 0);
  assert.equal(await page.getByRole("button", { name: "Run backtest" }).count(), 0);
  await shot(page, "11-viewer-backtest");
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/login/);
  await page.goto(BASE + "/");
  await page.waitForURL(/\/login/);
  await page.context().close();
  readback.steps.push("viewer");
});

test("phone-sized screen and light theme", async () => {
  const page = await newPage({ width: 390, height: 844 });
  await page.context().addCookies(await admin.context().cookies());
  await page.goto(BASE + "/chart/TCS?range=1Y");
  await page.waitForSelector('[data-testid="price-chart"][data-ready="true"]');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
  await shot(page, "12-phone-chart");
  await page.getByRole("button", { name: /Switch to light theme/ }).click();
  await page.goto(BASE + "/");
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains("dark")), false);
  await shot(page, "13-phone-watchlists-light");
  await page.context().close();
  readback.steps.push("phone-light");
});
