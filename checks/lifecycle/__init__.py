"""Data that survives deletion and replacement (catalog section 3.9)."""

from __future__ import annotations
