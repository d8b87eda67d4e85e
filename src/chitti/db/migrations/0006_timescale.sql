-- TimescaleDB when the server has it (installed and preloaded): the time-series tables
-- become hypertables. Elsewhere this migration does nothing and the same plain tables serve.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
       AND current_setting('shared_preload_libraries') LIKE '%timescaledb%' THEN
        CREATE EXTENSION IF NOT EXISTS timescaledb;
        PERFORM create_hypertable('md.eod_prices', 'ts', chunk_time_interval => interval '1 year',
                                  if_not_exists => true, migrate_data => true);
        PERFORM create_hypertable('md.indicators', 'ts', chunk_time_interval => interval '1 year',
                                  if_not_exists => true, migrate_data => true);
        PERFORM create_hypertable('ml.features', 'ts', chunk_time_interval => interval '1 year',
                                  if_not_exists => true, migrate_data => true);
    ELSE
        RAISE NOTICE 'timescaledb not available: time-series tables stay plain tables';
    END IF;
END
$$;
