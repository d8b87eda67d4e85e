/**
 * Shared scaffolding of the page tests: a JSON reply, the app's providers around a page at
 * a URL, and an element that shows where the router is (for URL-state assertions).
 */
import type { ReactNode } from "react";
import { render } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { MemoryRouter, Route, Routes, useLocation } from "react-router";
import { AuthProvider } from "./lib/auth";

/** A gateway reply; `undefined` sends an empty body (a 204). */
export const json = (body: unknown, status = 200): Response =>
  new Response(body === undefined ? null : JSON.stringify(body),
    { status, headers: { "Content-Type": "application/json" } });

/** The router's current path, query and hash, as text for assertions. */
export function Where() {
  const location = useLocation();
  return <output data-testid="where">{location.pathname + location.search + location.hash}</output>;
}

/** `page` inside the query client, session and router, at `entry`, on the given route
 * patterns (default: every path), with a {@link Where} beside it. */
export function renderPage(page: ReactNode, entry: string, paths: string[] = ["*"]) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <AuthProvider>
        <MemoryRouter initialEntries={[entry]}>
          <Routes>
            {paths.map((path) => <Route key={path} path={path} element={page} />)}
          </Routes>
          <Where />
        </MemoryRouter>
      </AuthProvider>
    </QueryClientProvider>,
  );
}
