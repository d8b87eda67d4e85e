-- Who may use the gateway, and what they keep there (owned by the gateway's role,
-- chitti_gateway; no service can read a password hash or a key hash).
CREATE SCHEMA IF NOT EXISTS auth;
GRANT USAGE ON SCHEMA auth TO chitti_gateway;
ALTER DEFAULT PRIVILEGES IN SCHEMA auth
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO chitti_gateway;
ALTER DEFAULT PRIVILEGES IN SCHEMA auth GRANT USAGE, SELECT ON SEQUENCES TO chitti_gateway;

CREATE TABLE IF NOT EXISTS auth.users (
    id             bigserial PRIMARY KEY,
    name           text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9_.@-]{1,64}$'),
    -- argon2id (PHC string); NULL: the user cannot log in with a password (the local user
    -- of single-user mode, or a user who only has API keys).
    password_hash  text,
    role           text NOT NULL CHECK (role IN ('viewer', 'trader', 'admin')),
    disabled       boolean NOT NULL DEFAULT false,
    -- Tokens issued before this instant are refused (password reset, disable).
    tokens_valid_after timestamptz NOT NULL DEFAULT now(),
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_login_at  timestamptz
);

-- A login: the family of its rotating refresh tokens. Revoking it ends the session's
-- access tokens too (they carry its id).
CREATE TABLE IF NOT EXISTS auth.sessions (
    id            uuid PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    revoked_why   text,
    client        text
);
CREATE INDEX IF NOT EXISTS sessions_revoked_idx ON auth.sessions (revoked_at)
    WHERE revoked_at IS NOT NULL;

-- Each refresh token is used once; presenting a used one again revokes its session.
CREATE TABLE IF NOT EXISTS auth.refresh_tokens (
    token_hash  bytea PRIMARY KEY,
    session_id  uuid NOT NULL REFERENCES auth.sessions (id) ON DELETE CASCADE,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz
);

-- Single-use, short-lived tickets that open a stream (EventSource and WebSocket cannot
-- send an Authorization header, and a token in a URL ends up in logs).
CREATE TABLE IF NOT EXISTS auth.stream_tickets (
    ticket_hash  bytea PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    role         text NOT NULL,
    expires_at   timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS auth.api_keys (
    id           text PRIMARY KEY,            -- the public part of the key
    user_id      bigint NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    name         text NOT NULL,
    role         text NOT NULL CHECK (role IN ('viewer', 'trader', 'admin')),
    secret_hash  bytea NOT NULL,              -- SHA-256 of the whole key (256 random bits)
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    UNIQUE (user_id, name)
);

CREATE TABLE IF NOT EXISTS auth.watchlists (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    name        text NOT NULL,
    position    integer NOT NULL DEFAULT 0,   -- order of the user's lists
    symbols     text[] NOT NULL DEFAULT '{}', -- in the user's order
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, name)
);

-- Token buckets shared by several gateway processes (CHITTI_RATE_LIMIT_STORE=postgres).
CREATE TABLE IF NOT EXISTS auth.rate_buckets (
    key         text PRIMARY KEY,
    tokens      double precision NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Long work (sweeps, walk-forwards, training) run on behalf of a user. Any gateway process
-- claims a queued job (SKIP LOCKED) and keeps its heartbeat fresh; a running job whose
-- heartbeat stops (its gateway died) is queued again, so jobs survive a gateway restart.
CREATE TABLE IF NOT EXISTS auth.jobs (
    id            uuid PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    kind          text NOT NULL,
    request       jsonb NOT NULL,
    state         text NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed',
                                                 'cancelled')),
    progress      double precision NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    result        jsonb,
    error         jsonb,
    attempts      integer NOT NULL DEFAULT 0,
    runner        text,
    heartbeat_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    finished_at   timestamptz
);
CREATE INDEX IF NOT EXISTS jobs_user_idx ON auth.jobs (user_id, created_at DESC);
CREATE INDEX IF NOT EXISTS jobs_open_idx ON auth.jobs (state, created_at)
    WHERE state IN ('queued', 'running');

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA auth TO chitti_gateway;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA auth TO chitti_gateway;
