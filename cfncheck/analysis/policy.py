"""IAM policy documents wherever a template writes them, read statement by statement.

``documents`` lists the policy documents of a resource (identity, trust and resource policies,
see ``LOCATIONS``); ``statements`` reads one document — written as YAML, as a JSON string, or
built with ``Fn::Sub``/``Fn::Join`` into a known string — into ``Statement`` records whose
fields are normalised (``Statement`` as object or list; ``Action``/``Resource``/``Principal``
as string or list; ``Condition`` as (operator, key, values) triples). Each statement carries
its path, indexed as written, so a finding on ``Statement.N.Action`` lands on that line, and
the condition scenario in which it exists. A document that is not known is not read.

Also here: the wildcard action matcher, which actions can be scoped to resources (from the
table of every action, ``iam_actions``), the restricting-condition test for public
principals, AWS managed policy names, account ids of principals, and the table of properties
through which a service assumes a role (for trust-policy checks).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from cfncheck.analysis.cidr import is_world
from cfncheck.analysis.iam_actions import LIST, Action, matching
from cfncheck.context import Context, parse_path
from cfncheck.template import Resource
from cfncheck.values import ABSENT, Alt, Scenario, Unknown

IDENTITY, TRUST, RESOURCE = "identity", "trust", "resource"

_EACH = "[]"  # a path step meaning: every item of the list written there

LOCATIONS: dict[str, tuple[tuple[str, tuple], ...]] = {
    "AWS::IAM::Policy": ((IDENTITY, ("PolicyDocument",)),),
    "AWS::IAM::ManagedPolicy": ((IDENTITY, ("PolicyDocument",)),),
    "AWS::IAM::RolePolicy": ((IDENTITY, ("PolicyDocument",)),),
    "AWS::IAM::UserPolicy": ((IDENTITY, ("PolicyDocument",)),),
    "AWS::IAM::GroupPolicy": ((IDENTITY, ("PolicyDocument",)),),
    "AWS::IAM::Role": ((IDENTITY, ("Policies", _EACH, "PolicyDocument")), (TRUST, ("AssumeRolePolicyDocument",))),
    "AWS::IAM::User": ((IDENTITY, ("Policies", _EACH, "PolicyDocument")),),
    "AWS::IAM::Group": ((IDENTITY, ("Policies", _EACH, "PolicyDocument")),),
    # SAM Policies: a document, or a list mixing documents, managed policy names and SAM policy templates
    "AWS::Serverless::Function": ((IDENTITY, ("Policies",)),),
    "AWS::Serverless::StateMachine": ((IDENTITY, ("Policies",)),),
    "AWS::S3::BucketPolicy": ((RESOURCE, ("PolicyDocument",)),),
    "AWS::SQS::QueuePolicy": ((RESOURCE, ("PolicyDocument",)),),
    "AWS::SNS::TopicPolicy": ((RESOURCE, ("PolicyDocument",)),),
    "AWS::SQS::QueueInlinePolicy": ((RESOURCE, ("PolicyDocument",)),),
    "AWS::SNS::TopicInlinePolicy": ((RESOURCE, ("PolicyDocument",)),),
    "AWS::KMS::Key": ((RESOURCE, ("KeyPolicy",)),),
    "AWS::ECR::Repository": ((RESOURCE, ("RepositoryPolicyText",)),),
    "AWS::ApiGateway::RestApi": ((RESOURCE, ("Policy",)),),
    "AWS::SecretsManager::ResourcePolicy": ((RESOURCE, ("ResourcePolicy",)),),
    "AWS::Events::EventBus": ((RESOURCE, ("Policy",)),),
    "AWS::S3::AccessPoint": ((RESOURCE, ("Policy",)),),
    "AWS::EFS::FileSystem": ((RESOURCE, ("FileSystemPolicy",)),),
    "AWS::Backup::BackupVault": ((RESOURCE, ("AccessPolicy",)),),
    "AWS::OpenSearchService::Domain": ((RESOURCE, ("AccessPolicies",)),),
    "AWS::Elasticsearch::Domain": ((RESOURCE, ("AccessPolicies",)),),
    "AWS::Logs::ResourcePolicy": ((RESOURCE, ("PolicyDocument",)),),
}
"""Where each resource type holds policy documents: (kind, path under Properties)."""

IDENTITY_TYPES = tuple(t for t, places in LOCATIONS.items() if any(kind == IDENTITY for kind, _ in places))
SAM_TYPES = ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")

RESTRICTING_KEYS = frozenset(
    {
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourcevpce",
        "aws:sourcevpc",
        "aws:sourceip",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "kms:calleraccount",
        "kms:viaservice",
        "sts:externalid",
        # access to a bucket delegated to the account's access points, which carry their own policies
        "s3:dataaccesspointaccount",
        "s3:dataaccesspointarn",
    }
)
"""Condition keys that limit who can use a grant to a public principal (lower case, as IAM compares them)."""

RESOURCE_SCOPING_KEYS = frozenset(
    {"aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths", "kms:requestalias", "kms:resourcealiases"}
)
"""Condition keys that narrow a grant on Resource ``*`` to some resources (lower case); so does any
``<service>:ResourceTag/<key>``."""
_RESOURCE_TAG = re.compile(r"^[a-z0-9-]+:resourcetag/")

SOURCE_KEYS = frozenset({"aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:sourceorgid"})
"""Keys that tie a service principal to the caller's resource or account (the confused-deputy guard)."""

_POSITIVE_OPERATORS = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"}
)


class Condition(NamedTuple):
    operator: str  # as written, e.g. "ForAnyValue:StringLike"
    key: str  # lower case
    values: tuple  # str items, or Unknown where not known


@dataclass(frozen=True)
class Document:
    resource: Resource
    kind: str  # IDENTITY, TRUST or RESOURCE
    path: tuple  # relative to the resource
    scenario: Scenario


@dataclass(frozen=True)
class Statement:
    """One statement, resolved for one scenario; list fields are tuples of str (or unknown items),
    None when the key is not written."""

    document: Document
    path: tuple  # relative to the resource: ("Properties", "PolicyDocument", "Statement", 0)
    scenario: Scenario
    effect: object
    actions: tuple | None
    not_actions: tuple | None
    resources: tuple | None
    not_resources: tuple | None
    principal: dict | None  # {"AWS": (...), "Service": (...), ...}; "*" is {"AWS": ("*",)}
    not_principal: dict | None
    conditions: tuple[Condition, ...]
    conditions_known: bool

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    def at(self, key: str) -> tuple:
        """The path of one of the statement's keys, for a finding on it."""
        return self.path + (key,)


# -- finding documents and statements ---------------------------------------------------


def documents(
    ctx: Context, resource: Resource, kinds: Iterable[str] = (IDENTITY, TRUST, RESOURCE)
) -> Iterator[Document]:
    """The policy documents ``resource`` holds, of the given kinds, in each scenario where they exist."""
    return (document for document in _documents(ctx, resource, kinds) if document is not None)


def statements(ctx: Context, document: Document) -> Iterator[Statement]:
    """Every statement of a document, in every scenario; nothing for a part that is not known."""
    return (statement for statement in _read(ctx, document) if statement is not None)


def policy_statements(
    ctx: Context, resource: Resource, kinds: Iterable[str] = (IDENTITY, TRUST, RESOURCE)
) -> Iterator[Statement]:
    """The statements of every document of the given kinds that ``resource`` holds."""
    for document in documents(ctx, resource, kinds):
        yield from statements(ctx, document)


def readable_statements(
    ctx: Context, resource: Resource, kinds: Iterable[str] = (IDENTITY, TRUST, RESOURCE)
) -> list[Statement] | None:
    """Like ``policy_statements``, but None when any part is not known (a document, the list that
    holds documents, a Statement, one statement): for a question whose answer an unread statement
    could change, such as whether some statement grants an action."""
    found = []
    for document in _documents(ctx, resource, kinds):
        for statement in _read(ctx, document) if document is not None else (None,):
            if statement is None:
                return None
            found.append(statement)
    return found


def _documents(ctx: Context, resource: Resource, kinds: Iterable[str]) -> list[Document | None]:
    """The documents of ``resource``, and None for a ``Policies`` list that is not known. Items are
    read as written: a policy with an ``Fn::If`` deep inside stays one policy, its statements
    carry the scenarios. Found once per resource and kinds: every IAM check asks. (A resource
    lives as long as the analysis that memoizes it, so its id names it.)"""
    kinds = frozenset(kinds)
    return ctx.analysis.memo((_documents, id(resource), kinds), lambda: list(_find_documents(ctx, resource, kinds)))


def _find_documents(ctx: Context, resource: Resource, kinds: frozenset[str]) -> Iterator[Document | None]:
    for kind, path in LOCATIONS.get(resource.type, ()):
        if kind not in kinds:
            continue
        if resource.type in SAM_TYPES:
            yield from _sam_documents(ctx, resource)
        elif _EACH in path:
            split = path.index(_EACH)
            head = ("Properties",) + path[:split]
            if not _is_list(ctx, resource, head):
                yield None
            for item_path, alt in ctx.elements(resource, head, resolved=False):
                yield Document(resource, kind, item_path + path[split + 1 :], alt.scenario)
        else:
            yield Document(resource, kind, ("Properties",) + path, resource.exists_in)


def _sam_documents(ctx: Context, resource: Resource) -> Iterator[Document]:
    path = ("Properties", "Policies")
    for alt in ctx.values(resource, path):
        if _is_document(alt.value):
            yield Document(resource, IDENTITY, path, alt.scenario)
    for item_path, alt in ctx.elements(resource, path, resolved=False):
        if _is_document(alt.value):
            yield Document(resource, IDENTITY, item_path, alt.scenario)


def _is_list(ctx: Context, resource: Resource, path: tuple) -> bool:
    """Whether the property at ``path`` is a list (or absent: no items) in every scenario."""
    return all(
        alt.value is ABSENT or isinstance(alt.value, list)
        for alt in ctx.resolver.reach(resource.node, path, resource.exists_in)
    )


def _is_document(value) -> bool:
    """A SAM Policies entry that is a policy document, not a SAM policy template ({S3ReadPolicy: …})."""
    return isinstance(value, dict) and "Statement" in value


def _read(ctx: Context, document: Document) -> list[Statement | None]:
    """The statements of a document, and None for each part of it that cannot be read; read
    once per template, since most IAM checks ask for the same documents."""
    key = (_read, document.resource.logical_id, document.kind, document.path, document.scenario)
    return ctx.analysis.memo(key, lambda: list(_read_document(ctx, document)))


def _read_document(ctx: Context, document: Document) -> Iterator[Statement | None]:
    resolver, node = ctx.resolver, document.resource.node
    statement_path = document.path + ("Statement",)
    for alt in resolver.reach(node, document.path, document.scenario):
        if isinstance(alt.value, str):
            yield from _json_statements(document, alt)
        elif isinstance(alt.value, dict):
            for path, item in ctx.elements(document.resource, statement_path, alt.scenario):
                yield _statement(document, path, item.value, item.scenario) if isinstance(item.value, dict) else None
            for item in resolver.get(node, statement_path, alt.scenario):
                if isinstance(item.value, dict):
                    yield _statement(document, statement_path, item.value, item.scenario)
                elif not isinstance(item.value, list):
                    yield None
        else:
            yield None


def _json_statements(document: Document, alt: Alt) -> Iterator[Statement | None]:
    try:
        data = json.loads(alt.value)
    except ValueError:
        yield None  # not a JSON document: malformed, or text this walker cannot read
        return
    body = data.get("Statement") if isinstance(data, dict) else None
    path = document.path + ("Statement",)
    if isinstance(body, dict):
        yield _statement(document, path, body, alt.scenario)
    elif isinstance(body, list):
        for index, item in enumerate(body):
            yield _statement(document, path + (index,), item, alt.scenario) if isinstance(item, dict) else None
    else:
        yield None


def _statement(document: Document, path: tuple, body: dict, scenario: Scenario) -> Statement:
    conditions, known = _conditions(body.get("Condition", ABSENT))
    return Statement(
        document=document,
        path=path,
        scenario=scenario,
        effect=body.get("Effect", ABSENT),
        actions=_items(body.get("Action", ABSENT)),
        not_actions=_items(body.get("NotAction", ABSENT)),
        resources=_items(body.get("Resource", ABSENT)),
        not_resources=_items(body.get("NotResource", ABSENT)),
        principal=_principal(body.get("Principal", ABSENT)),
        not_principal=_principal(body.get("NotPrincipal", ABSENT)),
        conditions=conditions,
        conditions_known=known,
    )


def _items(value) -> tuple | None:
    if value is ABSENT:
        return None
    return tuple(value) if isinstance(value, list) else (value,)


def _principal(value) -> dict | None:
    if value is ABSENT:
        return None
    if isinstance(value, dict):
        return {str(kind): _items(items) or () for kind, items in value.items()}
    if isinstance(value, str):
        return {"AWS": (value,)}
    return {"?": (value,)}


def _conditions(value) -> tuple[tuple[Condition, ...], bool]:
    if value is ABSENT:
        return (), True
    if not isinstance(value, dict):
        return (), False
    found, known = [], True
    for operator, block in value.items():
        if not isinstance(block, dict):
            known = False
            continue
        for key, values in block.items():
            found.append(Condition(str(operator), str(key).lower(), _items(values) or ()))
    return tuple(found), known


# -- questions about statements ---------------------------------------------------------


def strings(items: tuple | None) -> list[str]:
    """The known string items of a statement field."""
    return [item for item in items or () if isinstance(item, str)]


def fully_known(items: tuple | None) -> bool:
    return items is not None and all(isinstance(item, str) for item in items)


@lru_cache(maxsize=4096)
def _pattern(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), flags)


def action_matches(pattern: str, action: str) -> bool:
    """IAM's action matching: case-insensitive, ``*`` and ``?`` wildcards."""
    return _pattern(pattern).fullmatch(action) is not None


_S3_ARN = re.compile(r"^arn:(?:[\w-]*|\$\{[^}]*\}):s3:::([^/]*)")


def names_bucket(ctx: Context, item, bucket: Resource) -> bool:
    """Whether a ``Resource`` item of a statement names ``bucket`` or objects in it: by reference
    (``!GetAtt Bucket.Arn``, ``!Sub ${Bucket.Arn}/*``), or by an ARN whose bucket part matches
    the bucket's name (IAM's case-sensitive ``*`` and ``?`` wildcards). A pattern that matches
    every bucket (``*``, ``arn:aws:s3:::*/*``) names none in particular: a broad grant is not
    evidence of use of this bucket."""
    if ctx.refers_to(item, bucket):
        return True
    match = _S3_ARN.match(text_of(item) or "")
    if match is None or not match.group(1).strip("*?"):
        return False
    pattern = _pattern(match.group(1), 0)
    return any(
        isinstance(alt.value, str) and pattern.fullmatch(alt.value) is not None
        for alt in ctx.values(bucket, "Properties.BucketName")
    )


def grants(statement: Statement, action: str) -> bool:
    """True when the statement is known to cover ``action`` (through Action, or NotAction that leaves it in)."""
    if statement.actions is not None:
        return any(action_matches(pattern, action) for pattern in strings(statement.actions))
    if statement.not_actions is not None and fully_known(statement.not_actions):
        return not any(action_matches(pattern, action) for pattern in statement.not_actions)
    return False


def is_wildcard(items: tuple | None) -> bool:
    """A field that contains ``*`` (every action, or every resource)."""
    return "*" in strings(items)


def is_public(principal: dict | None) -> bool:
    """``Principal: "*"`` or ``{"AWS": "*"}``: anyone, in any account."""
    return principal is not None and "*" in strings(principal.get("AWS"))


def restricted(statement: Statement, keys: frozenset[str] = RESTRICTING_KEYS) -> bool:
    """Whether a condition limits the statement to known callers, sources or networks.

    A key counts when it is tested with a matching operator (not a negated one, not ``…IfExists``,
    which passes when the key is missing, and not ``ForAllValues:``, which passes when it is empty),
    against values that are not all-matching (``*``, ``0.0.0.0/0``). Conditions that are not known
    count as restricting: nothing is reported on them.
    """
    if not statement.conditions_known:
        return True
    return any(_limits(condition) for condition in statement.conditions if condition.key in keys)


def resource_scoped(statement: Statement) -> bool:
    """Whether a condition narrows the statement's resources: by their tags, account or organisation,
    or by KMS alias. Conditions that are not known count as narrowing: nothing is reported on them."""
    if not statement.conditions_known:
        return True
    return any(
        _limits(condition)
        for condition in statement.conditions
        if condition.key in RESOURCE_SCOPING_KEYS or _RESOURCE_TAG.match(condition.key)
    )


def _limits(condition: Condition) -> bool:
    operator = condition.operator.lower()
    if operator.startswith("forallvalues:"):
        return False
    operator = operator.removeprefix("foranyvalue:")
    if operator not in _POSITIVE_OPERATORS:
        return False
    return not any(value == "*" or is_world(value) for value in condition.values)


def only_secure_transport(statement: Statement) -> bool:
    """The statement's only condition is ``aws:SecureTransport: true``."""
    return (
        statement.conditions_known
        and len(statement.conditions) == 1
        and statement.conditions[0].key == "aws:securetransport"
        and [str(v).lower() for v in statement.conditions[0].values] == ["true"]
    )


def condition_values(statement: Statement, key: str, operator: str | None = None) -> list:
    """The values a statement's Condition tests ``key`` against, with any operator or with
    ``operator`` (both compared case-insensitively, as IAM does)."""
    return [
        value
        for condition in statement.conditions
        if condition.key == key.lower() and (operator is None or condition.operator.lower() == operator.lower())
        for value in condition.values
    ]


# -- principals and accounts ------------------------------------------------------------

_ACCOUNT = re.compile(r"^(?:arn:[\w-]+:(?:iam|sts)::)?(\d{12})(?::.*)?$")


def account_of(principal: str) -> str | None:
    """The account id of an AWS principal written as an id or an IAM/STS ARN."""
    match = _ACCOUNT.match(principal.strip())
    return match.group(1) if match else None


def foreign_accounts(ctx: Context, principal: dict | None) -> list[str]:
    """Accounts other than the deploy account that an AWS principal names. Empty when the deploy
    account is not configured: an account id alone cannot tell whether it is foreign."""
    own = ctx.resolver.pseudo.get("AWS::AccountId")
    if principal is None or not isinstance(own, str):
        return []
    accounts = {account_of(value) for value in strings(principal.get("AWS"))}
    return sorted(a for a in accounts if a is not None and a != own)


def services(principal: dict | None) -> list[str]:
    """The known service principals, lower case."""
    return [s.lower() for s in strings((principal or {}).get("Service"))]


def service_name(principal: str) -> str:
    """``lambda.amazonaws.com`` (or ``.com.cn``) → ``lambda``."""
    return principal.lower().split(".amazonaws.com", 1)[0]


# -- managed policies -------------------------------------------------------------------

_AWS_MANAGED = re.compile(r"^arn:(?:[\w-]+|\$\{[^}]*\}):iam::aws:policy/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)$")


def text_of(value) -> str | None:
    """A string value, or the text of a string built around unknown pieces (``${…}`` where unknown)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Unknown):
        return value.text
    return None


def aws_managed_policy(value, sam: bool = False) -> str | None:
    """The name of the AWS managed policy a value names: its ARN in any partition (the partition
    may be a placeholder such as ``${AWS::Partition}``), or, in SAM ``Policies``, its bare name."""
    text = text_of(value)
    if text is None:
        return None
    match = _AWS_MANAGED.match(text)
    if match:
        return match.group(1)
    if sam and re.fullmatch(r"[\w+=,.@-]+", text):
        return text
    return None


def managed_policies(ctx: Context, resource: Resource) -> Iterator[tuple[tuple, object, Scenario]]:
    """(path, value, scenario) of each managed policy an identity attaches: ``ManagedPolicyArns``
    items, and the string entries of SAM ``Policies``."""
    path = ("Properties", "Policies") if resource.type in SAM_TYPES else ("Properties", "ManagedPolicyArns")
    if resource.type in SAM_TYPES:
        for alt in ctx.values(resource, path):
            if isinstance(alt.value, str):
                yield path, alt.value, alt.scenario
    for item_path, alt in ctx.elements(resource, path):
        if not isinstance(alt.value, (dict, list)):
            yield item_path, alt.value, alt.scenario


# -- roles and the services that assume them --------------------------------------------

ROLE_CONSUMERS: dict[str, tuple[tuple[str, str], ...]] = {
    "AWS::Lambda::Function": (("Role", "lambda.amazonaws.com"),),
    "AWS::Serverless::Function": (("Role", "lambda.amazonaws.com"),),
    "AWS::IAM::InstanceProfile": (("Roles.[]", "ec2.amazonaws.com"),),
    "AWS::ECS::TaskDefinition": (
        ("TaskRoleArn", "ecs-tasks.amazonaws.com"),
        ("ExecutionRoleArn", "ecs-tasks.amazonaws.com"),
    ),
    "AWS::CodeBuild::Project": (("ServiceRole", "codebuild.amazonaws.com"),),
    "AWS::CodePipeline::Pipeline": (("RoleArn", "codepipeline.amazonaws.com"),),
    "AWS::CodeDeploy::DeploymentGroup": (("ServiceRoleArn", "codedeploy.amazonaws.com"),),
    "AWS::StepFunctions::StateMachine": (("RoleArn", "states.amazonaws.com"),),
    "AWS::Serverless::StateMachine": (("Role", "states.amazonaws.com"),),
    "AWS::Events::Rule": (("Targets.[].RoleArn", "events.amazonaws.com"),),
    "AWS::ApiGateway::Account": (("CloudWatchRoleArn", "apigateway.amazonaws.com"),),
    "AWS::EC2::FlowLog": (("DeliverLogsPermissionArn", "vpc-flow-logs.amazonaws.com"),),
    "AWS::S3::Bucket": (("ReplicationConfiguration.Role", "s3.amazonaws.com"),),
    "AWS::CloudTrail::Trail": (("CloudWatchLogsRoleArn", "cloudtrail.amazonaws.com"),),
    "AWS::KinesisFirehose::DeliveryStream": tuple(
        (f"{destination}.RoleARN", "firehose.amazonaws.com")
        for destination in (
            "ExtendedS3DestinationConfiguration",
            "S3DestinationConfiguration",
            "RedshiftDestinationConfiguration",
            "ElasticsearchDestinationConfiguration",
            "AmazonopensearchserviceDestinationConfiguration",
            "HttpEndpointDestinationConfiguration",
            "KinesisStreamSourceConfiguration",
        )
    ),
    "AWS::SNS::Subscription": (("SubscriptionRoleArn", "sns.amazonaws.com"),),
}
"""Properties (under Properties) that hand a role to a service, and the service principal it must trust."""


class RoleUse(NamedTuple):
    consumer: Resource
    path: tuple  # relative to the consumer
    role: Resource
    service: str
    scenario: Scenario


def role_uses(ctx: Context) -> Iterator[RoleUse]:
    """Each place where a resource of the template hands a role of the template to a service."""
    for consumer in ctx.resources(*ROLE_CONSUMERS):
        for spec, service in ROLE_CONSUMERS[consumer.type]:
            for path, alt in _property_values(ctx, consumer, ("Properties",) + parse_path(spec)):
                role = ctx.local(alt.value)  # an imported role: its trust policy is read in another template
                if role is not None and role.type == "AWS::IAM::Role":
                    yield RoleUse(consumer, path, role, service, alt.scenario)


def _property_values(ctx: Context, resource: Resource, path: tuple) -> Iterator[tuple[tuple, Alt]]:
    if _EACH not in path:
        for alt in ctx.values(resource, path):
            yield path, alt
        return
    split = path.index(_EACH)
    for item_path, item in ctx.elements(resource, path[:split]):
        rest = path[split + 1 :]
        for alt in ctx.resolver.get(resource.node, item_path + rest, item.scenario):
            yield item_path + rest, alt


def trust_verdict(ctx: Context, role: Resource, service: str, scenario: Scenario) -> bool | None:
    """Whether the role's trust policy lets ``service`` call ``sts:AssumeRole`` in ``scenario``:
    True, False, or None when the trust policy (or a part that could decide it) is not known."""
    found = False
    for document in documents(ctx, role, (TRUST,)):
        for statement in statements(ctx, document):
            if ctx.merge(statement.scenario, scenario) is None:
                continue
            found = True
            verdict = _trusts(statement, service)
            if verdict is not False:
                return verdict
    return False if found else None


def _trusts(statement: Statement, service: str) -> bool | None:
    if statement.effect != "Allow":
        return None if not isinstance(statement.effect, str) else False
    if statement.actions is not None and not fully_known(statement.actions) and not grants(statement, "sts:AssumeRole"):
        return None
    if not grants(statement, "sts:AssumeRole"):
        return False
    if statement.principal is None:
        return None if statement.not_principal is not None else False
    if is_public(statement.principal):
        return True
    named = (statement.principal.get("Service") or ()) + (statement.principal.get("?") or ())
    if any(not isinstance(item, str) for item in named):
        return None
    return any(service_name(item) == service_name(service) for item in strings(named))


# -- actions that can be scoped to resources --------------------------------------------


OPTIONAL_RESOURCES = frozenset(
    {
        "cloudwatch:putmetricdata",  # dataset: only for OTLP metrics
        "translate:translatetext",  # terminology, parallel data: only when the call names them
        "translate:translatedocument",
        "translate:starttexttranslationjob",
        "polly:synthesizespeech",  # lexicon: only when the call names one
        "polly:startspeechsynthesistask",
        "comprehend:detectentities",  # a custom recognizer endpoint; the built-in model has no ARN
        "rekognition:detectmoderationlabels",  # a custom adapter; the built-in model has no ARN
    }
)
"""Actions whose resource types are optional extras (reviewed by hand): the reference lists
resource types for them, but an ordinary call names none and is authorized against ``*``."""


def resource_level(pattern: str) -> tuple[Action, ...]:
    """The actions an ``Action`` entry grants that could name resources instead of ``*`` (their
    authorization reference lists resource types, and the call needs one): an action that does, or,
    for a wildcard entry, the actions it covers that do and are more than List actions —
    ``ec2:Describe*`` or ``s3:List*`` on ``*`` is how AWS's own read-only policies describe an
    account, while ``s3:Get*`` on ``*`` reads every object. Actions the reference does not know give
    nothing."""
    covered = [a for a in matching(pattern) if a.resource_level and str(a).lower() not in OPTIONAL_RESOURCES]
    if "*" in pattern or "?" in pattern:
        return tuple(action for action in covered if action.access != LIST)
    return tuple(covered)
