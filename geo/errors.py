"""Exception classes of hexpatrol, one line each (plus the bilingual message they share)."""


class HexpatrolError(Exception):
    """Base class of every error hexpatrol raises on purpose.

    The message is English (logs, the command line in English); ``zh`` optionally carries
    the same message in Chinese for the user interface: see :meth:`text`.
    """

    def __init__(self, message: str = "", *, zh: str | None = None) -> None:
        super().__init__(message)
        self.zh = zh

    def text(self, lang: str = "zh") -> str:
        """The message in ``lang`` (Chinese when there is one, else the English one)."""
        return self.zh if lang == "zh" and self.zh else str(self)


class LedgerReadError(HexpatrolError):
    """A ledger file cannot be read at all (missing, unknown format, undecodable)."""


class ConfigError(HexpatrolError):
    """A setting or reference file is invalid."""
