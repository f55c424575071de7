"""Where logs go: the buckets AWS services deliver logs to, whether a bucket lets them write, and
the CloudWatch Logs delivery sources (vended logs) that send a resource's logs elsewhere.

A bucket is a *log destination* when a resource of the run names it as the place for its logs
(S3 server access logs, load balancer and CloudFront access logs, trails, flow logs, AWS Config,
vended-log deliveries, WAF, Redshift audit logs, EMR and CodeBuild logs), or when it is evidently
set up to receive them: a bucket policy lets a log-delivery service (or the Elastic Load Balancing
account of a region) put objects, or its ACL is ``LogDeliveryWrite``. A destination is followed
through ``Ref``, ``Fn::GetAtt`` (a bucket's ``DomainName`` for CloudFront), an ARN or URL built with
``Fn::Sub``/``Fn::Join`` from the bucket, and ``Fn::ImportValue`` of another template of the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..context import Context, Link, per_template
from ..findings import Location
from ..template import Resource, Template
from ..values import ABSENT, Scenario, Unknown, as_list, lookup
from . import bucket_policies as bp
from .attributes import attribute
from .grants import granting
from .policy import account_of, grants, services, strings
from .referrers import exported, referrers, run_views
from .wiring import reach

BUCKET = "AWS::S3::Bucket"
DELIVERY_SOURCE = "AWS::Logs::DeliverySource"
S3_ACCESS_LOGS = "logging.s3.amazonaws.com"

LOG_SERVICES = frozenset(
    {
        S3_ACCESS_LOGS,
        "delivery.logs.amazonaws.com",
        "logdelivery.elasticloadbalancing.amazonaws.com",
        "cloudtrail.amazonaws.com",
        "config.amazonaws.com",
    }
)
"""Service principals that write logs into buckets."""

ELB_ACCOUNTS = frozenset(
    {
        "127311923021",  # us-east-1
        "033677994240",  # us-east-2
        "027434742980",  # us-west-1
        "797873946194",  # us-west-2
        "098369216593",  # af-south-1
        "754344448648",  # ap-east-1
        "589379963580",  # ap-southeast-3
        "718504428378",  # ap-south-1
        "383597477331",  # ap-northeast-3
        "600734575887",  # ap-northeast-2
        "114774131450",  # ap-southeast-1
        "783225319266",  # ap-southeast-2
        "582318560864",  # ap-northeast-1
        "985666609251",  # ca-central-1
        "054676820928",  # eu-central-1
        "156460612806",  # eu-west-1
        "652711504416",  # eu-west-2
        "635631232127",  # eu-south-1
        "009996457667",  # eu-west-3
        "897822967062",  # eu-north-1
        "076674570225",  # me-south-1
        "507241528517",  # sa-east-1
        "048591011584",  # us-gov-west-1
        "190560391635",  # us-gov-east-1
        "638102146993",  # cn-north-1
        "037604701340",  # cn-northwest-1
    }
)
"""The Elastic Load Balancing accounts that write access logs in the regions that predate the
``logdelivery.elasticloadbalancing.amazonaws.com`` principal (Elastic Load Balancing guide)."""


@dataclass(frozen=True)
class Source:
    """A property through which a resource sends its logs to a bucket."""

    type: str
    path: tuple  # "[]" for each item of a list
    logs: str  # what is delivered, for messages


SOURCES = (
    Source(BUCKET, ("Properties", "LoggingConfiguration", "DestinationBucketName"), "S3 server access logs"),
    Source(
        "AWS::ElasticLoadBalancing::LoadBalancer", ("Properties", "AccessLoggingPolicy", "S3BucketName"), "access logs"
    ),
    Source("AWS::CloudFront::Distribution", ("Properties", "DistributionConfig", "Logging", "Bucket"), "access logs"),
    Source("AWS::CloudTrail::Trail", ("Properties", "S3BucketName"), "CloudTrail logs"),
    Source("AWS::EC2::FlowLog", ("Properties", "LogDestination"), "flow logs"),
    Source("AWS::Config::DeliveryChannel", ("Properties", "S3BucketName"), "AWS Config snapshots"),
    Source("AWS::Logs::DeliveryDestination", ("Properties", "DestinationResourceArn"), "vended logs"),
    Source("AWS::WAFv2::LoggingConfiguration", ("Properties", "LogDestinationConfigs", "[]"), "WAF logs"),
    Source("AWS::Redshift::Cluster", ("Properties", "LoggingProperties", "BucketName"), "audit logs"),
    Source("AWS::EMR::Cluster", ("Properties", "LogUri"), "EMR logs"),
    Source("AWS::CodeBuild::Project", ("Properties", "LogsConfig", "S3Logs", "Location"), "build logs"),
)
"""Where resources name the bucket their logs go to; a load balancer's attribute list is read apart."""

ELB_V2 = "AWS::ElasticLoadBalancingV2::LoadBalancer"
ELB_V2_BUCKET = "access_logs.s3.bucket"


@dataclass(frozen=True)
class LogDelivery:
    """``source`` (of ``template``) sends ``logs`` to ``bucket`` (named at ``path``), in ``scenario``."""

    template: Template
    source: Resource
    path: tuple
    logs: str
    bucket: Link
    scenario: Scenario

    def location(self, ctx: Context, message: str = "") -> Location:
        """Where the source names the bucket, for a related location of a finding of ``ctx``."""
        return ctx.on(self.template).location(self.source, self.path, self.scenario, message=message)


@per_template
def log_deliveries(ctx: Context) -> list[LogDelivery]:
    """Every delivery of logs from a resource of this template to a bucket of the run."""
    found = []
    for source in SOURCES:
        for resource in ctx.resources(source.type):
            for path, alt in reach(ctx, resource, source.path):
                _add(ctx, found, resource, path, source.logs, alt)
    for balancer in ctx.resources(ELB_V2):
        for path, alt in attribute(ctx, balancer, ELB_V2_BUCKET):
            _add(ctx, found, balancer, path, "access logs", alt)
    return found


def _add(ctx: Context, found: list, resource: Resource, path: tuple, logs: str, alt) -> None:
    link = ctx.follow(alt.value, alt.scenario)
    if link is not None and link.type == BUCKET and link.resource is not resource:
        found.append(LogDelivery(ctx.template, resource, path, logs, link, alt.scenario))


def deliveries_into(ctx: Context, bucket: Resource) -> list[LogDelivery]:
    """The deliveries of the run into ``bucket`` (a bucket of ``ctx``'s template): from its own
    template, and from the other templates of the run when it is exported."""
    views = run_views(ctx) if exported(ctx, bucket) else [ctx]
    return [d for view in views for d in log_deliveries(view) if d.bucket.resource is bucket]


def is_log_bucket(ctx: Context, bucket: Resource) -> bool:
    """Whether the bucket receives logs in this run, or is set up to receive them (answered once
    per bucket: several checks ask)."""
    return ctx.analysis.memo(
        (is_log_bucket, bucket.logical_id),
        lambda: bool(deliveries_into(ctx, bucket)) or welcomes_log_delivery(ctx, bucket),
    )


def welcomes_log_delivery(ctx: Context, bucket: Resource) -> bool:
    """Whether the bucket's ACL or policy lets a log-delivery service write into it."""
    if any(alt.value == "LogDeliveryWrite" for alt in ctx.values(bucket, "Properties.AccessControl")):
        return True
    for policy in bp.policies_of(ctx, bucket) or ():
        for statement in bp.bucket_statements(ctx, policy):
            if statement.allows and grants(statement, "s3:PutObject") and _log_writer(statement.principal):
                return True
    return False


def _log_writer(principal: dict | None) -> bool:
    if any(service in LOG_SERVICES for service in services(principal)):
        return True
    return any(account_of(arn) in ELB_ACCOUNTS for arn in strings((principal or {}).get("AWS")))


def grants_delivery(ctx: Context, bucket: Link, service: str) -> bool | None:
    """Whether the policies of a bucket of the run let ``service`` put objects; None when that
    cannot be known (a policy whose bucket or document is not known)."""
    view = ctx.on(bucket.template)
    policies = bp.policies_of(view, bucket.resource)
    if policies is None:
        return None
    for policy in policies:
        granted = granting(view, policy, service, "s3:PutObject")
        if granted is None:
            return None
        if granted:
            return True
    return False


def delivery_sources(ctx: Context, resource: Resource) -> list:
    """The CloudWatch Logs delivery sources of the run that send ``resource``'s logs (vended logs)."""
    return referrers(ctx, resource, (DELIVERY_SOURCE,), ("Properties", "ResourceArn"))


# -- CloudTrail data events: the other record of requests to objects --------------------------

TRAIL_TYPES = ("AWS::CloudTrail::Trail", "AWS::CloudTrail::EventDataStore")
S3_OBJECT = "AWS::S3::Object"
_EVERY_BUCKET = re.compile(r"^arn:[^:]*:s3(:::)?$")


def records_object_events(ctx: Context, bucket: Resource) -> bool:
    """Whether a trail (or event data store) of the run records S3 data events for the bucket's
    objects: for every bucket, or for this one. A selector that cannot be read counts as recording."""
    for view in run_views(ctx):
        for trail in view.resources(*TRAIL_TYPES):
            for _, alt in view.elements(trail, "Properties.EventSelectors"):
                for data in as_list(lookup(alt.value, "DataResources")):
                    if lookup(data, "Type") == S3_OBJECT and _covers(view, as_list(lookup(data, "Values")), bucket):
                        return True
            for _, alt in view.elements(trail, "Properties.AdvancedEventSelectors"):
                if _advanced_covers(view, as_list(lookup(alt.value, "FieldSelectors")), bucket):
                    return True
    return False


def _advanced_covers(view: Context, fields: list, bucket: Resource) -> bool:
    def named(field: str) -> list:
        return [item for item in fields if isinstance(item, dict) and item.get("Field") == field]

    if not any(S3_OBJECT in as_list(lookup(item, "Equals")) for item in named("resources.type")):
        return False
    arns = [
        value
        for item in named("resources.ARN")
        for key in ("Equals", "StartsWith")
        for value in as_list(item.get(key, ABSENT))
    ]
    return not named("resources.ARN") or _covers(view, arns, bucket)


def _covers(view: Context, values: list, bucket: Resource) -> bool:
    for value in values:
        text = value.text if isinstance(value, Unknown) else value
        if isinstance(text, str) and _EVERY_BUCKET.match(text):
            return True
        link = view.follow(value)
        if link is not None and link.resource is bucket:
            return True
        if isinstance(value, Unknown) and not value.refs:
            return True  # cannot be known: it might name this bucket
    return False
