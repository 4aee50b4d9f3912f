"""Structured JSON logs, one line per request, with a request id; personal data masked."""

from __future__ import annotations

import json
import logging
import time

from shopscribe.reviews.pii import mask_pii


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)), "level": record.levelname,
                 "logger": record.name, "message": mask_pii(record.getMessage())[0]}
        for key in ("request_id", "method", "path", "status", "ms", "key"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:  # the trace stays in the log (the client only ever sees a request id)
            entry["traceback"] = mask_pii(self.formatException(record.exc_info))[0]
        return json.dumps(entry, ensure_ascii=False)


def configure(json_logs: bool) -> logging.Logger:
    logger = logging.getLogger("shopscribe.service")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter() if json_logs else logging.Formatter("%(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger
