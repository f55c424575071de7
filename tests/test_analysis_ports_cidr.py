"""Shared network and secret analyses on their own: ports, CIDRs, the rule model, secret names,
and the resolver's list elements they are built on."""

from __future__ import annotations

import textwrap

import pytest

from cfncheck.analysis import cidr
from cfncheck.analysis.ports import ALL, ICMP, ICMPV6, TCP, UDP, PortRange, Traffic, protocol, traffic
from cfncheck.analysis.secrets import credential_leaks, decoded, is_secret_name
from cfncheck.analysis.security_groups import (
    CIDR,
    CIDR_IPV6,
    EGRESS,
    INGRESS,
    PREFIX_LIST,
    SECURITY_GROUP,
    attachments,
    rules,
)
from cfncheck.catalog import Catalog
from cfncheck.context import Analysis, Context
from cfncheck.intrinsics import Resolver
from cfncheck.loader import load_bytes
from cfncheck.template import build
from cfncheck.values import ABSENT, Scenario


@pytest.mark.parametrize(
    "value, expected",
    [
        ("tcp", TCP),
        ("TCP", TCP),
        ("6", TCP),
        (6, TCP),
        (17, UDP),
        ("icmp", ICMP),
        ("1", ICMP),
        ("58", ICMPV6),
        ("icmpv6", ICMPV6),
        ("-1", ALL),
        (-1, ALL),
        ("all", ALL),
        ("50", "50"),
        ("sctp", None),
        ("300", None),
        (True, None),
        (ABSENT, None),
    ],
)
def test_protocol_names_and_numbers(value, expected):
    assert protocol(value) == expected


def test_port_intervals_cover_ports():
    ssh_range = traffic("tcp", 0, 1024)
    assert ssh_range == Traffic(TCP, PortRange(0, 1024))
    assert ssh_range.covers(TCP, 22) and not ssh_range.covers(UDP, 22) and not ssh_range.covers(TCP, 1025)
    assert not ssh_range.is_all
    assert traffic("tcp", "22", "22").covers(TCP, 22)
    assert traffic("udp", 1, 65535).is_all and traffic("tcp", 0, 65535).is_all
    assert traffic("tcp", -1, -1).is_all  # read as the whole range


def test_all_protocols_ignore_ports():
    everything = traffic("-1", 80, 80)
    assert everything.protocol == ALL and everything.ports is None and everything.is_all
    assert everything.covers(TCP, 22) and everything.covers(UDP, 3389)
    esp = traffic("50", 0, 0)
    assert esp.ports is None and not esp.is_all and not esp.covers(TCP, 22)


def test_icmp_has_types_not_ports():
    ping = traffic("icmp", -1, -1)
    assert ping == Traffic(ICMP) and not ping.covers(TCP, 22) and ping.covers(ICMP)
    assert str(ping) == "ICMP"
    assert traffic("icmpv6") == Traffic(ICMPV6)


@pytest.mark.parametrize("ports", [(ABSENT, 22), (22, ABSENT), (30, 20), (0, 70000), ("x", 22)])
def test_unknown_or_invalid_ports_give_no_traffic(ports):
    assert traffic("tcp", *ports) is None


def test_traffic_text():
    assert str(traffic("tcp", 22, 22)) == "TCP port 22"
    assert str(traffic("udp", 0, 1024)) == "UDP ports 0-1024"
    assert str(traffic(-1)) == "all traffic"
    assert str(traffic("50")) == "protocol 50"


@pytest.mark.parametrize(
    "value, world",
    [
        ("0.0.0.0/0", True),
        ("0.0.0.1/0", True),
        (" 0.0.0.0/0", True),
        ("::/0", True),
        ("::1/0", True),
        ("0.0.0.0/1", False),
        ("10.0.0.0/8", False),
        ("2001:db8::/32", False),
        ("pl-12345678", False),
        ("0.0.0.0", False),
        ("not a cidr/0", False),
        (None, False),
        (ABSENT, False),
    ],
)
def test_world_cidr(value, world):
    assert cidr.is_world(value) is world


@pytest.mark.parametrize(
    "value, private",
    [
        ("10.1.0.0/16", True),
        ("172.31.0.0/16", True),
        ("172.32.0.0/16", False),
        ("192.168.1.10/32", True),
        ("100.64.0.0/12", True),
        ("169.254.169.254/32", True),
        ("fd00::/8", True),
        ("10.0.0.0/7", False),
        ("0.0.0.0/0", False),
        ("203.0.113.0/24", False),
        ("2001:db8::/32", False),
        ("sg-123", False),
    ],
)
def test_private_cidr(value, private):
    assert cidr.is_private(value) is private


def test_parse_clears_host_bits():
    assert str(cidr.parse("10.1.2.3/8")) == "10.0.0.0/8"
    assert cidr.parse("10.0.0.0/33") is None


@pytest.mark.parametrize(
    "name",
    [
        "DBPassword",
        "MasterUserPassword",
        "GITHUB_TOKEN",
        "ApiKey",
        "api-key",
        "APIKey",
        "stripe_api_key",
        "ClientSecret",
        "AWS_SECRET_ACCESS_KEY",
        "PrivateKey",
        "DbPasswd",
        "AdminPwd",
        "OAuthCredentials",
        "UserPass",
        "Secret",
    ],
)
def test_secret_names(name):
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "PasswordLength",
        "SecretArn",
        "SECRET_NAME",
        "TokenTable",
        "DBPasswordParameterName",
        "ApiKeyId",
        "ManageMasterUserPassword",
        "EnablePassword",
        "GenerateSecret",
        "KeyName",
        "PublicKey",
        "Passenger",
        "PasswordPolicy",
        "SecretsManagerSecretUrl",
        "Compass",
        "",
    ],
)
def test_not_secret_names(name):
    assert not is_secret_name(name)


def test_credential_patterns():
    assert credential_leaks("key AKIAI44QH8DHBZZZZZZZ here") == ["an AWS access key id"]
    assert credential_leaks("AKIAIOSFODNN7EXAMPLE") == []  # AWS's documentation key
    assert credential_leaks("XAKIAI44QH8DHBZZZZZZZ") == []  # part of a longer word
    secret = "aws_secret_access_key = " + "a" * 40
    assert credential_leaks(secret) == ["an AWS secret access key"]
    assert credential_leaks("aws configure set aws_secret_access_key $KEY") == ["`aws configure set` of access keys"]
    assert credential_leaks("echo x >> ~/.aws/credentials") == ["a write to ~/.aws/credentials"]
    assert credential_leaks("aws configure set region eu-west-1") == []
    assert credential_leaks("cat ~/.aws/credentials") == []


def test_base64_user_data_is_decoded():
    assert decoded("IyEvYmluL2Jhc2gKZWNobyBoaQ==") == "#!/bin/bash\necho hi"
    assert decoded("not base64 at all") is None
    assert decoded("AAAA") is None  # too short to be a script


def _context(text: str, parameters: dict | None = None) -> Context:
    template = build(load_bytes(textwrap.dedent(text).encode(), "t.yaml"))
    return Context(Analysis(template, Resolver(template, parameters)), Catalog.builtin().find("SG001"))


RULES = """
Parameters:
  Cidr: {Type: String, Default: 0.0.0.0/0}
Conditions:
  Open: !Equals [!Ref Cidr, x]
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
        - !If [Open, {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}, !Ref AWS::NoValue]
        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: !Ref Cidr, Description: web}
        - {IpProtocol: "-1", SourceSecurityGroupId: sg-1}
        - {IpProtocol: "-1", SourcePrefixListId: pl-1}
      SecurityGroupEgress:
        - {IpProtocol: "-1", CidrIpv6: "::/0"}
  Standalone:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Group.GroupId
      IpProtocol: tcp
      FromPort: 443
      ToPort: 443
      CidrIpv6: "::/0"
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      VPCSecurityGroups: [sg-other, !Ref Group]
"""


def test_inline_rules_keep_their_written_index_and_scenario():
    ctx = _context(RULES)
    found = rules(ctx.template.resources["Group"], ctx, INGRESS)
    assert [(r.path, r.peer.kind, str(r.traffic), r.scenario) for r in found] == [
        (("Properties", "SecurityGroupIngress", 0), CIDR, "TCP port 22", Scenario({("Open", True)})),
        (("Properties", "SecurityGroupIngress", 1), CIDR, "TCP port 80", Scenario()),
        (("Properties", "SecurityGroupIngress", 2), SECURITY_GROUP, "all traffic", Scenario()),
        (("Properties", "SecurityGroupIngress", 3), PREFIX_LIST, "all traffic", Scenario()),
    ]
    assert [r.peer.is_world for r in found] == [True, True, False, False]
    assert all(r.group.resource is ctx.template.resources["Group"] and not r.group.foreign for r in found)
    assert found[1].at(found[1].peer.key) == ("Properties", "SecurityGroupIngress", 1, "CidrIp")


def test_parameter_values_change_the_source():
    ctx = _context(RULES, parameters={"Cidr": "10.0.0.0/8"})
    found = rules(ctx.template.resources["Group"], ctx, INGRESS)
    assert [r.peer.value for r in found if r.peer.kind == CIDR] == ["10.0.0.0/8"]  # and Open is false: no SSH rule


def test_egress_and_standalone_rules():
    ctx = _context(RULES)
    (egress,) = rules(ctx.template.resources["Group"], ctx, EGRESS)
    assert egress.direction == EGRESS and egress.peer.kind == CIDR_IPV6 and egress.peer.is_world
    (standalone,) = rules(ctx.template.resources["Standalone"], ctx, INGRESS)
    assert standalone.path == ("Properties",) and standalone.group.resource is ctx.template.resources["Group"]
    assert standalone.peer.is_world and str(standalone.traffic) == "TCP port 443"
    assert rules(ctx.template.resources["Standalone"], ctx, EGRESS) == []


def test_attachments_name_the_item_that_attaches():
    ctx = _context(RULES)
    ((resource, path, scenario),) = attachments(ctx.template.resources["Group"], ctx)
    assert (resource.logical_id, path, scenario) == ("Db", ("Properties", "VPCSecurityGroups", 1), Scenario())


def test_resolver_elements_follow_if_without_shifting_indexes():
    ctx = _context(
        """
        Parameters:
          P: {Type: String}
        Conditions:
          C: !Equals [!Ref P, b]
        Resources:
          R:
            Type: X::Y::Z
            Properties:
              Items: [!If [C, first, !Ref AWS::NoValue], second]
              Chosen: !If [C, [a], [b, c]]
              Unknown: !GetAtt R.Items
        """
    )
    resource = ctx.template.resources["R"]
    items = ctx.elements(resource, "Properties.Items")
    assert [(path[-1], alt.value, alt.scenario.as_dict()) for path, alt in items] == [
        (0, "first", {"C": True}),
        (1, "second", {}),
    ]
    chosen = ctx.elements(resource, "Properties.Chosen")
    assert [(path[-1], alt.value, alt.scenario.as_dict()) for path, alt in chosen] == [
        (0, "a", {"C": True}),
        (0, "b", {"C": False}),
        (1, "c", {"C": False}),
    ]
    assert ctx.elements(resource, "Properties.Unknown") == []
    assert ctx.elements(resource, "Properties.Missing") == []


def test_elements_as_written_keep_conditions_inside_an_item():
    ctx = _context(
        """
        Parameters:
          P: {Type: String}
        Conditions:
          C: !Equals [!Ref P, b]
        Resources:
          R:
            Type: X::Y::Z
            Properties:
              Items:
                - {Name: one, Value: !If [C, x, y]}
                - !If [C, {Name: two}, !Ref AWS::NoValue]
        """
    )
    resource = ctx.template.resources["R"]
    written = ctx.elements(resource, "Properties.Items", resolved=False)
    assert [(path[-1], alt.scenario.as_dict()) for path, alt in written] == [(0, {}), (1, {"C": True})]
    assert written[0][1].value["Value"] == {"Fn::If": ["C", "x", "y"]}
    resolved = ctx.elements(resource, "Properties.Items")
    assert [(path[-1], alt.value["Name"], alt.scenario.as_dict()) for path, alt in resolved] == [
        (0, "one", {"C": True}),
        (0, "one", {"C": False}),
        (1, "two", {"C": True}),
    ]
    condition = Scenario({("C", False)})
    assert [path[-1] for path, _ in ctx.elements(resource, "Properties.Items", condition)] == [0]


def test_merge_and_joint_within_keep_only_scenarios_that_can_hold():
    ctx = _context(
        """
        Parameters:
          P: {Type: String}
        Conditions:
          A: !Equals [!Ref P, a]
          NotA: !Not [Condition: A]
        Resources:
          R:
            Type: X::Y::Z
            Properties:
              V: !If [A, 1, 2]
        """
    )
    a, not_a = Scenario({("A", True)}), Scenario({("NotA", True)})
    assert ctx.merge(a, Scenario()) == a
    assert ctx.merge(a, Scenario({("A", False)})) is None
    assert ctx.merge(a, not_a) is None  # exclusive through the Conditions, not by name
    values = ctx.values(ctx.template.resources["R"], "Properties.V")
    assert [(s.as_dict(), v) for s, v in ctx.joint(values, within=a)] == [({"A": True}, (1,))]
    assert list(ctx.joint(values, within=not_a)) == [(Scenario({("NotA", True), ("A", False)}), (2,))]
