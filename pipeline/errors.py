"""Errors that reach the person at the command line: what went wrong and how to fix it."""


class WaspadaError(Exception):
    """A failure Waspada can explain.

    ``message`` says what went wrong, ``hint`` the command or option that fixes it.
    """

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  Hint: {self.hint}"


class InputError(WaspadaError):
    """An input file or option that cannot be used."""


class ModelError(WaspadaError):
    """A model bundle that is missing, altered or unsafe to load."""


class OutputExistsError(WaspadaError):
    """An output that would be overwritten without --force."""


class OutputLockedError(WaspadaError):
    """An output folder or model store another Waspada process is writing right now."""


class CountsError(WaspadaError):
    """Records read that are missing from the outputs (or outputs that no record explains)."""
