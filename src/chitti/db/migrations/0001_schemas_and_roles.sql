-- Schemas of ARCHITECTURE.md and one login role per process, with least privilege.
-- Default privileges make every table a later migration creates readable by the services
-- and writable only by the service that owns its domain:
--   news-nlp (chitti_news) writes news.*; compute (chitti_compute) writes md.*, ml.* and
--   signals.backtests; signal-service (chitti_signals) writes the other signals.* tables;
--   the gateway (chitti_gateway) only connects (health check, LISTEN) and reads nothing.
DO $$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['chitti_news', 'chitti_signals', 'chitti_compute',
                                     'chitti_gateway'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', role_name);
        END IF;
    END LOOP;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO chitti_news, chitti_signals, '
                   'chitti_compute, chitti_gateway', current_database());
END
$$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- Services check at start-up that the schema is current.
GRANT SELECT ON public.schema_migrations TO chitti_news, chitti_signals, chitti_compute;

CREATE SCHEMA IF NOT EXISTS md;
CREATE SCHEMA IF NOT EXISTS news;
CREATE SCHEMA IF NOT EXISTS ml;
CREATE SCHEMA IF NOT EXISTS signals;

GRANT USAGE ON SCHEMA md, news, ml, signals TO chitti_news, chitti_signals, chitti_compute;

ALTER DEFAULT PRIVILEGES IN SCHEMA md, news, ml, signals
    GRANT SELECT ON TABLES TO chitti_news, chitti_signals, chitti_compute;

ALTER DEFAULT PRIVILEGES IN SCHEMA news
    GRANT INSERT, UPDATE, DELETE ON TABLES TO chitti_news;
ALTER DEFAULT PRIVILEGES IN SCHEMA news GRANT USAGE, SELECT ON SEQUENCES TO chitti_news;

ALTER DEFAULT PRIVILEGES IN SCHEMA md, ml
    GRANT INSERT, UPDATE, DELETE ON TABLES TO chitti_compute;
ALTER DEFAULT PRIVILEGES IN SCHEMA md, ml GRANT USAGE, SELECT ON SEQUENCES TO chitti_compute;
