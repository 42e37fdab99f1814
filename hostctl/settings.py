"""The global options as keystoneauth and openstacksdk name them."""

from __future__ import annotations

from hostctl import options
from hostctl import values


class Settings:
    """The global options as keystoneauth and openstacksdk name them.

    `given` holds the options set (on the command line or in the
    environment) by setting name: ``auth_url``, ``password``, ...
    """

    def __init__(self, parsed) -> None:
        self.options = parsed
        found = {
            o.setting: getattr(parsed, o.dest, None) for o in options.OPTIONS
        }
        # (0 retries is a value; False, None and '' are not.)
        self.given = {
            k: v
            for k, v in found.items()
            if v is not None and v is not False and v != ''
        }
        self.cloud = self.given.get('cloud')
        self.insecure = bool(getattr(parsed, 'insecure', False))
        self.no_cache = bool(getattr(parsed, 'no_cache', False))

    def get(self, name, default=None):
        return self.given.get(name, default)

    def auth(self) -> dict:
        """What goes to the auth plugin, secrets included."""
        return {k: v for k, v in self.given.items() if k in options.AUTH}

    def identity(self) -> dict:
        """Whose token it is, without any secret."""
        return {k: v for k, v in self.given.items() if k in options.IDENTITY}

    def check(self) -> None:
        """URLs and files checked before anything is sent (usage errors)."""
        for name in options.URLS:
            if name in self.given:
                values.check_url(self.given[name], values.flag(name))
        for name in options.FILES:
            if name in self.given:
                values.check_file(self.given[name], values.flag(name))
