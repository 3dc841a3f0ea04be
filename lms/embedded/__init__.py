"""Real PostgreSQL and S3 servers started by `lms` when no external ones are configured.

Their start-up errors stay English on purpose: an operator reads them on the console, before any request."""

from lms.embedded.runtime import EmbeddedError, EmbeddedServers, start_embedded

__all__ = ["EmbeddedError", "EmbeddedServers", "start_embedded"]
