"""Typed helpers that read settings from the environment and fail loudly on bad values."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse


class ConfigError(RuntimeError):
    """A setting in the environment is missing or malformed."""


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ConfigError(f"environment variable {name} is required")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def ensure_dir(path: Path, setting: str) -> Path:
    """Create the folder ``path`` (and its parents) if it is missing; say which setting to
    change when it cannot be created, instead of failing later with an unrelated error."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the folder {path} ({exc.strerror or exc}); "
            f"create it with write access for this user, or point {setting} elsewhere"
        ) from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(
            f"the folder {path} is not writable by this user; "
            f"give it write access, or point {setting} elsewhere"
        )
    return path


def parse_database_url(url: str, base_dir: Path) -> dict[str, object]:
    """Turn ``sqlite:///path`` or ``postgres://user:pw@host:port/name`` into Django settings."""
    parsed = urlparse(url)
    scheme = parsed.scheme
    if scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path
        raw_path = url[len("sqlite://") :]
        if raw_path.startswith("/"):
            raw_path = raw_path[1:]
        path = Path(raw_path)
        if not path.is_absolute():
            path = base_dir / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            # Kept between requests, as PostgreSQL's: opening the file (and its PRAGMAs) and
            # closing it (the last connection's close checkpoints the WAL) on every request
            # took a third of a survey response's CPU under gunicorn (benchmarks/surveys.py).
            "CONN_MAX_AGE": 60,
            # WAL lets readers (the dashboard) run while an import writes; NORMAL sync is
            # durable across application crashes, which is what an embedded database needs.
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if scheme in {"postgres", "postgresql", "pgsql"}:
        options: dict[str, object] = {}
        query = parse_qs(parsed.query)
        if "sslmode" in query:
            options["sslmode"] = query["sslmode"][0]
        host = unquote(parsed.hostname or "")
        if "host" in query:  # unix socket directory: ?host=/var/run/postgresql
            host = query["host"][0]
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": host,
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "OPTIONS": options,
        }
    raise ConfigError(f"DATABASE_URL scheme {scheme!r} is not supported (use sqlite or postgres)")
