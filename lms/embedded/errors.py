class EmbeddedError(Exception):
    """An embedded server could not start: the message says why and what to do, in one line."""
