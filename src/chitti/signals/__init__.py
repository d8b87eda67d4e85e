"""signal-service: scored alerts from news, prices and indicators."""
