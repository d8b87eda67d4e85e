"""Structured logs of the gateway: one JSON object per line, with the id of the request being
handled (also sent back as ``X-Request-ID``), so one request's lines can be found."""

from __future__ import annotations

import contextvars
import logging
import time
from typing import Any

import orjson

#: The id of the request being handled ("-" outside a request).
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class JsonLogFormatter(logging.Formatter):
    def __init__(self, process_name: str) -> None:
        super().__init__()
        self.process_name = process_name

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                  + f".{int(record.msecs):03d}Z",
            "level": record.levelname, "process": self.process_name, "logger": record.name,
            "request_id": request_id.get(), "message": record.getMessage()}
        for key in ("method", "route", "status", "ms", "client"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


def json_log_config(process_name: str, level: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` of JSON lines on stderr, for uvicorn's ``log_config``
    (each worker process applies it as it starts)."""
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonLogFormatter, "process_name": process_name}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {name: {"handlers": [], "propagate": True, "level": level}
                    for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }
