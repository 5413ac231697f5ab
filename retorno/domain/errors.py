"""Errors raised by domain functions. Each carries a stable `code` that interfaces expose."""


class DomainError(ValueError):
    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
