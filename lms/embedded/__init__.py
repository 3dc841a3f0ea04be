"""Real PostgreSQL and S3 servers started by `lms` when no external ones are configured."""

from lms.embedded.runtime import EmbeddedError, EmbeddedServers, start_embedded

__all__ = ["EmbeddedError", "EmbeddedServers", "start_embedded"]
