"""Documents protected by a password: the typed answer when none was given, or a wrong one."""

from __future__ import annotations

from typing import Any

from app.core.errors import FolioError

#: Set in a failed task's payload when it stopped for a password (said by a field, never
#: by the wording of its error): the task waits for one ("Needs password").
NEEDS_PASSWORD = "needsPassword"
#: Set beside NEEDS_PASSWORD when a password was given and did not open the document.
WRONG_PASSWORD = "wrongPassword"
#: An import task's key to the password given for it, held in memory only (see
#: `app.tasks.passwords`): a random token, never the password itself.
PASSWORD_KEY = "passwordKey"
#: Payload fields that say how an attempt ended, not what the task is: a retry drops them.
ATTEMPT_MARKS = (NEEDS_PASSWORD, WRONG_PASSWORD)


def locked_sentence(name: str) -> str:
    return f"{name} is protected by a password — enter it to read the document."


def wrong_password_sentence(name: str) -> str:
    return f"That password does not open {name} — try again."


class PasswordNeeded(FolioError):
    """`name` is protected by a password: none was given (`wrong` False), or it did not open it.

    A subclass of FolioError, so whatever only wants a sentence still has one; whatever
    can ask for the password tells it by its type.
    """

    def __init__(self, name: str, wrong: bool = False) -> None:
        super().__init__(wrong_password_sentence(name) if wrong else locked_sentence(name))
        self.name = name
        self.wrong = wrong

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled across processes (a cluster) with its fields, not its sentence.
        return (PasswordNeeded, (self.name, self.wrong))


def without_attempt_marks(payload: dict[str, Any]) -> dict[str, Any]:
    """A task's payload for a new attempt: how the last one ended is left out."""
    return {k: v for k, v in payload.items() if k not in ATTEMPT_MARKS}
