"""Exception classes of hexpatrol, one line each."""


class HexpatrolError(Exception):
    """Base class of every error hexpatrol raises on purpose."""


class LedgerReadError(HexpatrolError):
    """A ledger file cannot be read at all (missing, unknown format, undecodable)."""


class ConfigError(HexpatrolError):
    """A setting or reference file is invalid."""
