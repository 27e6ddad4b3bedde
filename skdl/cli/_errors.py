"""The one exception the command line turns into a one-line message."""


class CommandError(Exception):
    """A user error: bad file, unknown column or parameter, invalid grid."""
