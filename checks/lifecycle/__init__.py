"""Data that survives deletion and replacement (catalog section 3.9)."""

from __future__ import annotations


def backup_shortfall(days, minimum: int, setting: str, defaulted: bool) -> str | None:
    """The message for automatic backups kept fewer days than ``minimum`` (0: turned off); None
    when they are kept long enough, or when the number of days is not known."""
    if days is None or days > 35 or days >= minimum:
        return None
    if days <= 0:
        stated = f"{setting} {'defaults to' if defaulted else 'is'} 0, which turns automatic backups off"
        return f"{stated}: set it to {max(minimum, 1)} day{'s' if max(minimum, 1) > 1 else ''} or more."
    return (
        f"{setting} {'defaults to' if defaulted else 'is'} {days:g} day{'s' if days != 1 else ''}, fewer than the "
        f"{minimum} days this organisation requires (the minimum_days option): raise it."
    )
