"""Messaging wiring: queues, topics and the functions between them (catalog section 3.10).

Each check follows the wiring (``cfncheck.analysis.wiring``) from one end to the other and
reports only when both ends are known: a queue, topic, function or role outside the run is
never guessed at.
"""

from __future__ import annotations

from cfncheck.analysis import grants
from cfncheck.analysis.wiring import deliveries, depends_on, resource_policies, unattached_policies
from cfncheck.api import WARNING, Child, as_bool


def granting_statements(ctx, delivery, action) -> list | None:
    """The granting statements of the destination's resource policies; None when not known."""
    found = []
    for policy in resource_policies(ctx, delivery.destination.resource):
        statements = grants.granting(ctx, policy, delivery.deliverer.principal, action)
        if statements is None:
            return None
        found.extend((policy, statement) for statement in statements)
    return found


def deliveries_refused(rule_id: str, name: str, noun: str, policy_type: str, parent: str) -> Child:
    """The child of SQS009 and SNS004 for a service whose deliveries the destination's policy
    refuses while the stack deploys (EventBridge rules)."""
    return Child(
        rule_id,
        name,
        WARNING,
        f"""A service that sends to a {noun} of the template at run time (an EventBridge rule) while no
        {policy_type} lets it: the stack deploys, but every delivery is refused and the events are
        lost.""",
        fix=f"Add an {policy_type} allowing the service's principal (events.amazonaws.com), scoped with aws:SourceArn.",
        formerly=(parent,),
    )


def producer_policy_findings(ctx, destination_type, policy_type, action, fifo_path, noun, refused: str):
    """Deliveries from S3, EventBridge or CloudTrail to a queue or topic without a policy letting
    the service in (the shared rule of SQS009 and SNS004); ``refused``: the child for deliverers
    whose deliveries fail while the stack deploys."""
    if unattached_policies(ctx, policy_type):
        return
    for delivery in deliveries(ctx):
        destination = delivery.destination
        if destination.type != destination_type or delivery.deliverer.principal == "sns.amazonaws.com":
            continue
        service = delivery.deliverer.principal
        breaks = delivery.deliverer.breaks_deployment
        related = [destination.location(ctx, (), message=destination.logical_id)]
        if delivery.source.type == "AWS::S3::Bucket":
            for alt in destination.values(fifo_path):
                if as_bool(alt.value):
                    yield ctx.finding(
                        delivery.source,
                        delivery.path,
                        f"S3 cannot send notifications to the FIFO {noun} {destination.logical_id}: "
                        "use a standard one.",
                        alt.scenario,
                        related=related,
                    )
        granted = granting_statements(ctx, delivery, action)
        if granted is None:
            continue
        if not granted:
            consequence = "the stack fails to create it" if breaks else "every delivery fails"
            yield ctx.finding(
                delivery.source,
                delivery.path,
                f"No {policy_type} of {destination.logical_id} allows {service} to {action}: {consequence}; "
                f"add one with Principal Service {service}.",
                delivery.destination.scenario,
                rule=None if breaks else refused,
                related=related,
            )
        elif delivery.deliverer.needs_depends_on and not any(
            depends_on(ctx, delivery.source, policy) for policy, _ in granted
        ):
            policy = granted[0][0]
            yield ctx.finding(
                delivery.source,
                "DependsOn",
                f"{delivery.source.logical_id} must be created after {policy.logical_id}, or the notification's "
                f"validation can fail: add DependsOn: {policy.logical_id}.",
                delivery.destination.scenario,
                related=[ctx.location(policy, (), message=policy.logical_id)],
            )
