"""The base of Phonebank's domain errors (pure: no I/O).

Every refusal carries a machine-readable ``code`` (``outside_window``, ``bad_phone``, ...)
beside its plain message, so the CLI, the web pages and the API can all show the same words
and let programs branch on the id.
"""

from __future__ import annotations


class PhonebankError(ValueError):
    """A refusal with a machine-readable ``code`` and a plain ``message``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
