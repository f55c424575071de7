"""What the service refuses at deploy time, service by service: values and combinations that
CloudFormation accepts in the template but that the service's API rejects, failing the stack.

Every check here is an error only where the service's refusal is documented (its message is
quoted where known), and says nothing about a value it cannot see.
"""

from __future__ import annotations

from datetime import date


def today(ctx) -> date:
    """The day dated data (runtime and service retirements) is compared with: the check's
    ``today`` option, else the day of the run."""
    configured = ctx.options.get("today")
    return date.fromisoformat(configured) if configured else date.today()
