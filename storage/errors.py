"""Errors from the storage layer; the CLI shows them as one line, naming the database."""


class StorageError(Exception):
    """The database cannot be opened, read or migrated."""


class UnknownStoryline(StorageError):
    """A storyline slug that the database does not know."""
