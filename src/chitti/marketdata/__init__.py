"""Market data: daily bar files, the NSE symbol master, and their storage in ``md``."""
