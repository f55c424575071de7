"""Route 53 records the service refuses."""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR, Child, check

RECORD, GROUP, ZONE = "AWS::Route53::RecordSet", "AWS::Route53::RecordSetGroup", "AWS::Route53::HostedZone"
ONE_OF = "Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId]"
"""Route 53's InvalidInput message for a record that is neither an alias nor a plain record."""
ROUTING = (
    "Weight",
    "Region",
    "Failover",
    "GeoLocation",
    "GeoProximityLocation",
    "MultiValueAnswer",
    "CidrRoutingConfig",
)


def records(resource, ctx):
    """(path, resolved record, scenario) for each record a RecordSet or RecordSetGroup writes."""
    if resource.type == RECORD:
        for alt in ctx.values(resource, "Properties"):
            if isinstance(alt.value, dict):
                yield ("Properties",), alt.value, alt.scenario
        return
    for path, alt in ctx.elements(resource, "Properties.RecordSets"):
        if isinstance(alt.value, dict):
            yield path, alt.value, alt.scenario


def _zone_name(resource, record: dict, ctx, scenario) -> str | None:
    """The name of the record's hosted zone: HostedZoneName (of the group or the record), or the
    Name of the zone of this template that HostedZoneId names."""
    holders = [record]
    if resource.type == GROUP:
        holders += [alt.value for alt in ctx.values(resource, "Properties") if isinstance(alt.value, dict)]
    for holder in holders:
        name = holder.get("HostedZoneName", ABSENT)
        if isinstance(name, str):
            return name
        link = ctx.follow(holder.get("HostedZoneId", ABSENT), scenario)
        if link is not None and link.type == ZONE:
            names = [alt.value for alt in link.values("Properties.Name") if isinstance(alt.value, str)]
            return names[0] if len(set(names)) == 1 else None
    return None


def _normal(name: str) -> str:
    return name.lower().rstrip(".")


@check(
    "R53004",
    "r53-record-invalid",
    ERROR,
    types=[RECORD, GROUP],
    fix="Give a record either AliasTarget (no TTL, no ResourceRecords) or both TTL and ResourceRecords; give a "
    "record with a routing policy a SetIdentifier.",
    example="Resources:\n  Www:\n    Type: AWS::Route53::RecordSet\n    Properties:\n"
    "      HostedZoneName: example.com.\n      Name: www.example.com.\n      Type: A\n      TTL: 300\n"
    "      AliasTarget:\n"
    "        DNSName: d111111abcdef8.cloudfront.net\n        HostedZoneId: Z2FDTNDATAQYW2",
    children=[
        Child(
            "R53001",
            "r53-cname-at-apex",
            ERROR,
            "A CNAME record named as its hosted zone (the apex): DNS allows no CNAME beside the zone's SOA and "
            'NS records, and Route 53 refuses it ("RRSet of type CNAME with DNS name example.com. is not '
            'permitted at apex in zone example.com.").',
            fix="Use an alias record (Type A with AliasTarget) at the apex, or name the CNAME below it (www.).",
        )
    ],
    deploy_failure=True,
)
def record_invalid(resource, ctx):
    """A record Route 53 refuses, failing the stack: an alias with TTL or ResourceRecords, or a
    plain record without both ("Invalid request: Expected exactly one of [AliasTarget, all of
    [TTL, and ResourceRecords], or TrafficPolicyInstanceId]"); a routing policy (Weight, Region,
    Failover, GeoLocation, MultiValueAnswer…) without SetIdentifier. Source: the Route 53
    ChangeResourceRecordSets API reference (ResourceRecordSet)."""
    for path, record, scenario in records(resource, ctx):
        alias = "AliasTarget" in record
        if alias:
            for key in ("TTL", "ResourceRecords"):
                if key in record:
                    message = f'An alias record with {key}: Route 53 refuses it ("{ONE_OF}, but found more than one"). '
                    yield ctx.finding(resource, path + (key,), message + f"Remove {key}.", scenario)
        else:
            missing = [key for key in ("TTL", "ResourceRecords") if key not in record]
            if missing:
                message = (
                    f"A record without AliasTarget needs TTL and ResourceRecords ({' and '.join(missing)} missing): "
                    f'Route 53 refuses it ("{ONE_OF}").'
                )
                yield ctx.finding(resource, path, message, scenario)
        routing = [key for key in ROUTING if key in record and record[key] not in (False, "false")]
        if routing and "SetIdentifier" not in record:
            message = f"A record with {routing[0]} needs a SetIdentifier: Route 53 refuses it without one."
            yield ctx.finding(resource, path + (routing[0],), message, scenario)
        kind, name = record.get("Type"), record.get("Name")
        if kind == "CNAME" and isinstance(name, str):
            zone = _zone_name(resource, record, ctx, scenario)
            if zone is not None and _normal(zone) == _normal(name):
                message = (
                    f'A CNAME at the zone apex {name}: Route 53 refuses it ("RRSet of type CNAME with DNS name '
                    f'{_normal(name)}. is not permitted at apex in zone {_normal(zone)}."). Use an alias record.'
                )
                yield ctx.finding(resource, path + ("Type",), message, scenario, rule="R53001")
