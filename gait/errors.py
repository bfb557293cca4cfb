"""The one exception type for bad input, and its one-line message.

Every importer raises :class:`GaitInputError` for input it cannot read; the CLI prints
``error: <file>: <where>: <what> (expected <what>)`` and exits with status 2.
"""

from __future__ import annotations

from os import PathLike


class GaitInputError(ValueError):
    """Input that cannot be read correctly.

    Parameters
    ----------
    path:
        The file (or folder) the problem is in.
    what:
        What is wrong, e.g. ``"text 'abc' in a numeric column"``.
    where:
        Line and/or column, e.g. ``"line 12, column 'ax'"``; empty when it concerns the file.
    expected:
        What would have been right, e.g. ``"a number"``.
    """

    def __init__(
        self,
        path: str | PathLike[str] | None,
        what: str,
        *,
        where: str = "",
        expected: str = "",
    ) -> None:
        self.path = str(path) if path is not None else ""
        self.what = what
        self.where = where
        self.expected = expected
        super().__init__(self.one_line())

    def __reduce__(self) -> tuple:  # picklable (an error raised in a worker process)
        return (_rebuild, (self.path or None, self.what, self.where, self.expected))

    def one_line(self) -> str:
        parts = [p for p in (self.path, self.where) if p]
        head = ": ".join(parts)
        msg = f"{head}: {self.what}" if head else self.what
        if self.expected:
            msg += f" (expected {self.expected})"
        return " ".join(msg.split())


def _rebuild(path: str | None, what: str, where: str, expected: str) -> GaitInputError:
    return GaitInputError(path, what, where=where, expected=expected)
