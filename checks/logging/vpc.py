"""VPC flow logs."""

from __future__ import annotations

from cfncheck.analysis.referrers import handed_to_nested_stack, referrers
from cfncheck.api import ALWAYS, WARNING, check, per_template

FLOW_LOG = "AWS::EC2::FlowLog"
SUBNET = "AWS::EC2::Subnet"


@check(
    "VPC002",
    "vpc-flow-logs-missing",
    WARNING,
    types=["AWS::EC2::VPC"],
    fix="Add an `AWS::EC2::FlowLog` with `ResourceType: VPC` and `ResourceId: !Ref` the VPC.",
    example="""
    Vpc:
      Type: AWS::EC2::VPC
      Properties:
        CidrBlock: 10.0.0.0/16
    """,
)
def vpc_flow_logs_missing(vpc, ctx):
    """Flow logs record the IP traffic of a VPC's network interfaces — accepted and rejected — to
    "monitor & troubleshoot connectivity issues" and investigate incidents; a VPC has none unless
    a flow log is created for it (seed notes 001 #74, 002 VPC-03, 003/004 #61).

    A flow log of the run whose `ResourceId` names the VPC counts (through an import when the VPC
    is exported), and so do flow logs covering every subnet of the VPC in the template. A flow log
    that exists only under a Condition leaves the other scenarios reported. A VPC handed to a
    nested stack is not reported: the stack may log it. VPCs from parameters or imports are not
    this template's to log.
    """
    if handed_to_nested_stack(ctx, vpc):
        return
    # a flow log of another template exists, as far as this one can tell, in all its scenarios
    logged = [
        ALWAYS if ref.foreign else ref.scenario
        for ref in referrers(ctx, vpc, (FLOW_LOG,), ("Properties", "ResourceId"))
    ]
    missing = ctx.uncovered(logged, vpc.exists_in)
    if not missing or _subnets_logged(ctx, vpc):
        return
    for scenario in missing:
        yield ctx.finding(
            vpc,
            (),
            "This VPC has no flow log: add an AWS::EC2::FlowLog (ResourceType VPC, ResourceId the VPC) so its "
            "traffic can be traced when something is blocked or compromised.",
            scenario,
        )


def _subnets_logged(ctx, vpc) -> bool:
    """Whether the VPC's subnets in the template all have a flow log of the template (and there is
    one subnet at least)."""
    subnets, logged = _subnets_and_flow_logs(ctx)
    return bool(subnets.get(vpc.logical_id)) and subnets[vpc.logical_id] <= logged


@per_template
def _subnets_and_flow_logs(ctx) -> tuple[dict[str, set[str]], set[str]]:
    """The subnets of each VPC of the template, and the resources its flow logs name."""
    subnets: dict[str, set[str]] = {}
    for subnet in ctx.resources(SUBNET):
        for alt in ctx.values(subnet, "Properties.VpcId"):
            if (named := ctx.local(alt.value)) is not None:
                subnets.setdefault(named.logical_id, set()).add(subnet.logical_id)
    logged = {
        named.logical_id
        for flow_log in ctx.resources(FLOW_LOG)
        for alt in ctx.values(flow_log, "Properties.ResourceId")
        if (named := ctx.local(alt.value)) is not None
    }
    return subnets, logged
