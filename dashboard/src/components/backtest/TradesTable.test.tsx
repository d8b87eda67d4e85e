import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import type { Trade } from "../../lib/backtest";
import { TradesTable } from "./TradesTable";

function trade(over: Partial<Trade>): Trade {
  return {
    symbol: "TCS", direction: "long", entry_time: "2019-01-02", exit_time: "2019-02-01", quantity: 10,
    entry_price_inr: 1000, exit_price_inr: 1100, pnl_inr: 990, return_pct: 9.9, costs_inr: 10,
    exit_reason: "signal", bars_held: 21, ...over,
  };
}

const TRADES = [
  trade({ symbol: "TCS", pnl_inr: 990 }),
  trade({ symbol: "INFY", entry_time: "2018-05-02", exit_time: "2018-06-01", pnl_inr: -123456.5, return_pct: -8 }),
  trade({ symbol: "SBIN", entry_time: "2020-03-02", exit_time: null, exit_reason: "open", pnl_inr: 50 }),
];

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

function renderTable() {
  return render(<MemoryRouter><TradesTable trades={TRADES} id={42} /></MemoryRouter>);
}

const symbols = () => screen.getAllByTestId("trade-row").map((r) => within(r).getAllByRole("cell")[0].textContent);

describe("TradesTable", () => {
  it("shows one row per trade, by entry date, in rupees with Indian grouping", () => {
    renderTable();
    expect(symbols()).toEqual(["INFY", "TCS", "SBIN"]);
    expect(screen.getByText("-₹1,23,456.50")).toBeTruthy();
    expect(screen.getByText("Still open")).toBeTruthy();
    expect(screen.getByRole("link", { name: "TCS" }).getAttribute("href")).toBe("/chart/TCS?at=2019-01-02");
  });

  it("sorts by any column, and back", () => {
    renderTable();
    fireEvent.click(screen.getByRole("button", { name: /P&L/ }));
    expect(symbols()).toEqual(["TCS", "SBIN", "INFY"]); // numbers: largest first
    expect(screen.getByRole("columnheader", { name: /P&L/ }).getAttribute("aria-sort")).toBe("descending");
    fireEvent.click(screen.getByRole("button", { name: /P&L/ }));
    expect(symbols()).toEqual(["INFY", "SBIN", "TCS"]);
    fireEvent.click(screen.getByRole("button", { name: /Symbol/ }));
    expect(symbols()).toEqual(["INFY", "SBIN", "TCS"]);
  });

  it("downloads the rows as sorted, as CSV with a header and ISO dates", async () => {
    let blob: Blob | null = null;
    // jsdom has no object URLs: catch the Blob the page hands over
    const url = URL as unknown as Record<string, unknown>;
    const saved = { create: url.createObjectURL, revoke: url.revokeObjectURL };
    url.createObjectURL = (b: Blob) => { blob = b; return "blob:trades"; };
    url.revokeObjectURL = () => {};
    onTestFinished(() => { url.createObjectURL = saved.create; url.revokeObjectURL = saved.revoke; });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      expect(this.download).toBe("backtest-42-trades.csv");
    });
    renderTable();
    fireEvent.click(screen.getByRole("button", { name: /P&L/ }));
    fireEvent.click(screen.getByRole("button", { name: "Download CSV" }));
    expect(click).toHaveBeenCalledOnce();
    const text = await new Promise<string>((done) => {
      const reader = new FileReader();
      reader.onload = () => done(String(reader.result));
      reader.readAsText(blob!);
    });
    const lines = text.trim().split("\r\n");
    expect(lines[0]).toBe("symbol,direction,entry_time,exit_time,quantity,entry_price_inr,exit_price_inr,"
      + "pnl_inr,return_pct,costs_inr,exit_reason,bars_held");
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["TCS", "SBIN", "INFY"]);
    expect(lines[3]).toBe("INFY,long,2018-05-02,2018-06-01,10,1000,1100,-123456.5,-8,10,signal,21");
    expect(lines[2]).toContain(",2020-03-02,,"); // an open trade has no exit date
  });

  it("says what to do without trades", () => {
    render(<MemoryRouter><TradesTable trades={[]} id={1} /></MemoryRouter>);
    expect(screen.getByText("No trades")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Download CSV" })).toBeNull();
  });
});
