/** Routes and providers. Heavy pages (charts) load on demand to keep the first screen fast. */
import { lazy, Suspense, type ReactNode } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { ApiError } from "./api/client";
import { AlertsProvider } from "./lib/alerts";
import { AuthProvider, hasRole, useAuth, type Role } from "./lib/auth";
import { ThemeProvider } from "./lib/theme";
import { Layout } from "./components/Layout";
import { Empty, Spinner } from "./components/ui";
import Login from "./pages/Login";

const Watchlists = lazy(() => import("./pages/Watchlists"));
const Chart = lazy(() => import("./pages/Chart"));
const News = lazy(() => import("./pages/News"));
const Screener = lazy(() => import("./pages/Screener"));
const Backtest = lazy(() => import("./pages/Backtest"));
const Research = lazy(() => import("./pages/Research"));
const System = lazy(() => import("./pages/System"));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // a 4xx will not change on retry; a dropped connection might
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});

function Guard({ role, children }: { role: Role; children: ReactNode }) {
  const { me, loading } = useAuth();
  const location = useLocation();
  if (loading) return <Spinner label="Checking your session…" />;
  if (!me) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  if (!hasRole(me, role)) {
    return (
      <Layout>
        <Empty title="This page needs the admin role">
          You are signed in as {me.name} ({me.role}). Ask an administrator for access.
        </Empty>
      </Layout>
    );
  }
  return <Layout><Suspense fallback={<Spinner />}>{children}</Suspense></Layout>;
}

function Shell() {
  const { me } = useAuth();
  return (
    <AlertsProvider enabled={Boolean(me)}>
      <Routes>
        <Route path="/login" element={<Login />} />
        <Route path="/" element={<Guard role="viewer"><Watchlists /></Guard>} />
        <Route path="/chart/:symbol" element={<Guard role="viewer"><Chart /></Guard>} />
        <Route path="/chart" element={<Navigate to="/chart/RELIANCE" replace />} />
        <Route path="/news" element={<Guard role="viewer"><News /></Guard>} />
        <Route path="/screener" element={<Guard role="viewer"><Screener /></Guard>} />
        <Route path="/backtest" element={<Guard role="viewer"><Backtest /></Guard>} />
        <Route path="/backtest/:id" element={<Guard role="viewer"><Backtest /></Guard>} />
        <Route path="/research" element={<Guard role="viewer"><Research /></Guard>} />
        <Route path="/system" element={<Guard role="admin"><System /></Guard>} />
        <Route path="*" element={<Guard role="viewer"><Empty title="No such page">Use the navigation above.</Empty></Guard>} />
      </Routes>
    </AlertsProvider>
  );
}

export default function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <ThemeProvider>
        <AuthProvider>
          <BrowserRouter>
            <Shell />
          </BrowserRouter>
        </AuthProvider>
      </ThemeProvider>
    </QueryClientProvider>
  );
}
