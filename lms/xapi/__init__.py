"""The Learning Record Store (xAPI 1.0.3 and 2.0).

Its error details stay English on purpose: they answer xAPI clients, content packages and ADL's conformance suite,
which read the status code and log the text for a developer; no page shows them to a learner."""
