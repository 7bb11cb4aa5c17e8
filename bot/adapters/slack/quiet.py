"""Keeping request bodies out of the logs.

slack-bolt logs every request whose signature fails at INFO, body included: whatever anyone
posts to /slack/events (a forged command, a probe, a person's message replayed) would reach the
log. The record is kept, so refusals can still be seen and counted, without the body.
"""

from __future__ import annotations

import logging

# The logger bolt's signature check writes to (slack_bolt.logger.get_bolt_logger).
VERIFICATION_LOGGER = "slack_bolt.RequestVerification"
REFUSED = "Slack request refused: invalid signature or timestamp"


class WithoutBody(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = REFUSED, None
        record.exc_info = record.exc_text = None
        return True


def keep_bodies_out_of_logs() -> None:
    """Idempotent. A filter rather than a level: bolt resets its loggers' levels each time an
    app is built, but leaves their filters alone."""
    logger = logging.getLogger(VERIFICATION_LOGGER)
    if not any(isinstance(f, WithoutBody) for f in logger.filters):
        logger.addFilter(WithoutBody())
