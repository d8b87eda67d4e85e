"""The compute service: indicators, backtests, features, ML, portfolio and risk."""
