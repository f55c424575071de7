"""Lambda functions the service refuses to create."""

from __future__ import annotations

import re

from cfncheck.analysis import grants
from cfncheck.api import ABSENT, ERROR, WARNING, Child, as_bool, as_number, check
from cfncheck.schemas.lambda_runtimes import deprecation, is_identifier, successor

from . import today

FUNCTIONS = ["AWS::Lambda::Function", "AWS::Serverless::Function"]
REFUSED = "The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda functions"
"""Lambda's message (InvalidParameterValueException) for a runtime whose creation is blocked."""


@check(
    "LAMBDA012",
    "lambda-runtime-creation-blocked",
    ERROR,
    types=FUNCTIONS,
    options={"today": ""},
    fix="Move the function to a supported runtime of its language (the message names the newest).",
    example="Resources:\n  Handler:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.7\n"
    "      Handler: index.handler\n      Role: arn:aws:iam::123456789012:role/handler\n      Code: {ZipFile: pass}",
    children=[
        Child(
            "LAMBDA030",
            "lambda-runtime-deprecated",
            WARNING,
            "A runtime AWS has deprecated: it no longer gets security patches, and Lambda will refuse to create "
            "(then to update) functions with it from the dates of the Lambda runtimes page.",
            fix="Move the function to a supported runtime of its language before creation is blocked.",
        )
    ],
    deploy_failure=True,
)
def runtime_creation_blocked(function, ctx):
    """Lambda refuses to create a function with a runtime past its "block function create" date
    ("The runtime parameter of python3.7 is no longer supported for creating or updating AWS
    Lambda functions"), and any identifier it does not know. A new stack with such a function
    fails; so does any update that replaces it. The identifiers come from botocore's Lambda
    model and the dates from the Lambda runtimes page (``tools/lambda_runtimes.py``); the
    ``today`` option fixes the date the dates are compared with (default: the day of the run)."""
    day = today(ctx)
    for alt in ctx.values(function, "Properties.Runtime"):
        runtime = alt.value
        if not isinstance(runtime, str):
            continue
        if not is_identifier(runtime):
            yield ctx.finding(
                function,
                "Properties.Runtime",
                f"Lambda has no runtime {runtime!r} (\"Value '{runtime}' at 'runtime' failed to satisfy constraint: "
                'Member must satisfy enum value set"): use a runtime identifier such as '
                f"{successor('python3.13', day)} or {successor('nodejs22.x', day)}.",
                alt.scenario,
            )
            continue
        dates = deprecation(runtime)
        if dates is None or dates.deprecated is None or dates.deprecated > day:
            continue
        newer = successor(runtime, day)
        instead = f" Use {newer}." if newer else ""
        if dates.block_create is not None and dates.block_create <= day:
            message = (
                f"Lambda refuses to create functions with {runtime} since {dates.block_create} "
                f'("{REFUSED.format(runtime=runtime)}").{instead}'
            )
            yield ctx.finding(function, "Properties.Runtime", message, alt.scenario)
        else:
            blocked = f"; creating functions with it is blocked from {dates.block_create}" if dates.block_create else ""
            message = f"{runtime} is deprecated since {dates.deprecated}{blocked}.{instead}"
            yield ctx.finding(function, "Properties.Runtime", message, alt.scenario, rule="LAMBDA030")


RESERVED_VARIABLES = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
"""The reserved environment variables of the Lambda developer guide ("Defined runtime environment
variables": "The keys for these environment variables are reserved and can't be set in your
function configuration"), https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html."""
VARIABLE_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")
MAX_ENVIRONMENT = 4096  # bytes of keys and values together


@check(
    "LAMBDA016",
    "lambda-environment-invalid",
    ERROR,
    types=FUNCTIONS,
    fix="Rename the variable (AWS_REGION and the other reserved names are set by Lambda itself), use letters, "
    "digits and underscores starting with a letter, and keep the variables under 4 KB together.",
    example="Resources:\n  Handler:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.13\n"
    "      Handler: index.handler\n      Role: arn:aws:iam::123456789012:role/handler\n      Code: {ZipFile: pass}\n"
    "      Environment:\n        Variables: {AWS_REGION: eu-west-1}",
    deploy_failure=True,
)
def environment_invalid(function, ctx):
    """Environment variables Lambda refuses, failing the stack: a reserved name (AWS_REGION,
    AWS_ACCESS_KEY_ID, _HANDLER…: "Lambda was unable to configure your environment variables
    because the environment variables you have provided contains reserved keys that are currently
    not supported for modification"), a name that is not letters, digits and underscores starting
    with a letter, or keys and values over 4 KB together (counting only what is known). Source:
    the Lambda developer guide, "Working with Lambda environment variables"."""
    for alt in ctx.values(function, "Properties.Environment.Variables"):
        variables = alt.value
        if not isinstance(variables, dict):
            continue
        for name in variables:
            if name in RESERVED_VARIABLES:
                message = (
                    f'{name} is reserved: Lambda refuses to set it ("…contains reserved keys that are currently not '
                    f'supported for modification. Reserved keys used in this request: {name}"). Rename it.'
                )
                yield ctx.finding(function, ("Properties", "Environment", "Variables", name), message, alt.scenario)
            elif not VARIABLE_NAME.match(name):
                message = f"{name!r} is not a Lambda variable name: letters, digits and _, starting with a letter."
                yield ctx.finding(function, ("Properties", "Environment", "Variables", name), message, alt.scenario)
        size = sum(len(name.encode()) + (len(v.encode()) if isinstance(v, str) else 0) for name, v in variables.items())
        if size > MAX_ENVIRONMENT:
            message = f"The environment variables take {size} bytes: Lambda refuses more than 4 KB in all."
            yield ctx.finding(function, "Properties.Environment.Variables", message, alt.scenario)


@check(
    "LAMBDA008",
    "lambda-vpc-config-invalid",
    ERROR,
    types=FUNCTIONS,
    fix="Give VpcConfig both SubnetIds and SecurityGroupIds (or neither, to leave the VPC); connect a function "
    "that mounts a file system to a VPC.",
    example="Resources:\n  Handler:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.13\n"
    "      Handler: index.handler\n      Role: arn:aws:iam::123456789012:role/handler\n      Code: {ZipFile: pass}\n"
    "      VpcConfig: {SubnetIds: [subnet-12345678], SecurityGroupIds: []}",
    deploy_failure=True,
)
def vpc_config_invalid(function, ctx):
    """A VpcConfig Lambda refuses: subnets without security groups or security groups without
    subnets (both lists empty means no VPC), or FileSystemConfigs on a function outside any VPC
    (an EFS file system is reached through the VPC). Source: the Lambda CreateFunction API
    reference (VpcConfig, FileSystemConfigs) and "Configuring file system access"."""
    for alt in ctx.values(function, "Properties"):
        body = alt.value
        if not isinstance(body, dict):
            continue
        vpc = body.get("VpcConfig", ABSENT)
        if isinstance(vpc, dict):
            lists = {key: vpc.get(key, ABSENT) for key in ("SubnetIds", "SecurityGroupIds")}
            sizes = {key: len(v) if isinstance(v, list) else 0 if v is ABSENT else None for key, v in lists.items()}
            if None not in sizes.values() and (sizes["SubnetIds"] == 0) != (sizes["SecurityGroupIds"] == 0):
                empty = next(key for key, size in sizes.items() if size == 0)
                message = f"VpcConfig without {empty}: Lambda needs both subnets and security groups to join the VPC."
                yield ctx.finding(function, ("Properties", "VpcConfig", empty), message, alt.scenario)
        files = body.get("FileSystemConfigs", ABSENT)
        if isinstance(files, list) and files and vpc is ABSENT:
            message = (
                "FileSystemConfigs without VpcConfig: Lambda reaches a file system only from a VPC and refuses it."
            )
            yield ctx.finding(function, "Properties.FileSystemConfigs", message, alt.scenario)


ESM = "AWS::Lambda::EventSourceMapping"
SOURCE_TYPES = {"AWS::SQS::Queue": "sqs", "AWS::Kinesis::Stream": "kinesis", "AWS::DynamoDB::Table": "dynamodb"}
_SOURCE_ARN = re.compile(r"^arn:[\w-]+:(sqs|kinesis|dynamodb):")


def _source(ctx, arn, scenario):
    """(kind, resource of this template or None) of an event source mapping's source."""
    text = arn if isinstance(arn, str) else None
    if text is not None and (found := _SOURCE_ARN.match(text)):
        kind = found.group(1)
        return ("dynamodb" if "/stream/" in text else "dynamodb-table") if kind == "dynamodb" else kind, None
    link = ctx.follow(arn, scenario)
    kind = SOURCE_TYPES.get(link.type) if link is not None else None
    if kind == "dynamodb" and not (getattr(arn, "attribute", None) == "StreamArn"):
        return None, None  # the table itself is DDB007's
    return kind, link


@check(
    "LAMBDA006",
    "lambda-esm-settings-invalid",
    ERROR,
    types=[ESM],
    fix="Give stream sources a StartingPosition (TRIM_HORIZON or LATEST; AT_TIMESTAMP for Kinesis only); give an "
    "SQS mapping with BatchSize above 10 a MaximumBatchingWindowInSeconds, and a FIFO queue's at most 10.",
    example="Resources:\n  Feed:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n"
    "      FunctionName: orders\n      EventSourceArn: arn:aws:kinesis:us-east-1:123456789012:stream/orders",
    deploy_failure=True,
)
def esm_settings_invalid(mapping, ctx):
    """Event source mapping settings Lambda refuses: a Kinesis or DynamoDB stream source without
    StartingPosition (required for streams), AT_TIMESTAMP on a DynamoDB stream (Kinesis only), an
    SQS batch above 10 without a batching window ("Maximum batch window in seconds must be greater
    than 0 if maximum batch size is greater than 10"), or above 10 on a FIFO queue. Source: the
    Lambda CreateEventSourceMapping API reference (StartingPosition, BatchSize,
    MaximumBatchingWindowInSeconds)."""
    for alt in ctx.values(mapping, "Properties"):
        body = alt.value
        if not isinstance(body, dict):
            continue
        kind, link = _source(ctx, body.get("EventSourceArn", ABSENT), alt.scenario)
        position = body.get("StartingPosition", ABSENT)
        if kind in ("kinesis", "dynamodb") and position is ABSENT:
            message = f"A {kind} stream source without StartingPosition: Lambda refuses the mapping (set LATEST…)."
            yield ctx.finding(mapping, "Properties", message, alt.scenario)
        elif kind == "dynamodb" and position == "AT_TIMESTAMP":
            message = "StartingPosition AT_TIMESTAMP on a DynamoDB stream: Lambda supports it for Kinesis only."
            yield ctx.finding(mapping, "Properties.StartingPosition", message, alt.scenario)
        size = as_number(body.get("BatchSize", ABSENT))
        if kind != "sqs" or not isinstance(size, (int, float)) or size <= 10:
            continue
        window = as_number(body.get("MaximumBatchingWindowInSeconds", ABSENT), 0)
        fifo = link is not None and any(as_bool(v.value, False) for v in link.values("Properties.FifoQueue"))
        if fifo or isinstance(arn := body.get("EventSourceArn"), str) and arn.endswith(".fifo"):
            message = f"BatchSize {size:g} on a FIFO queue: Lambda takes at most 10 messages a batch from FIFO queues."
            yield ctx.finding(mapping, "Properties.BatchSize", message, alt.scenario)
        elif window == 0:
            message = (
                f'BatchSize {size:g} without MaximumBatchingWindowInSeconds: Lambda refuses it ("Maximum batch window '
                'in seconds must be greater than 0 if maximum batch size is greater than 10").'
            )
            yield ctx.finding(mapping, "Properties.BatchSize", message, alt.scenario)


INVOKE_CONFIG = "AWS::Lambda::EventInvokeConfig"


@check(
    "LAMBDA040",
    "lambda-event-invoke-config-duplicate",
    ERROR,
    fix="Keep one AWS::Lambda::EventInvokeConfig per function and qualifier, with all the settings.",
    example="Resources:\n  Retries:\n    Type: AWS::Lambda::EventInvokeConfig\n"
    "    Properties: {FunctionName: orders, Qualifier: $LATEST, MaximumRetryAttempts: 0}\n  Age:\n"
    "    Type: AWS::Lambda::EventInvokeConfig\n"
    "    Properties: {FunctionName: orders, Qualifier: $LATEST, MaximumEventAgeInSeconds: 3600}",
    deploy_failure=True,
)
def event_invoke_config_duplicate(ctx):
    """Two EventInvokeConfig resources for the same function and qualifier, in scenarios that can
    both hold: a function version or alias has one asynchronous invocation configuration, so the
    second fails to create (it already exists). Source: the AWS::Lambda::EventInvokeConfig
    reference and the Lambda PutFunctionEventInvokeConfig API reference."""
    seen: dict[tuple, list] = {}
    for config in ctx.resources(INVOKE_CONFIG):
        for alt in ctx.values(config, "Properties"):
            body = alt.value
            if not isinstance(body, dict) or not isinstance(body.get("Qualifier"), str):
                continue
            function = ctx.local(body.get("FunctionName"))
            name = function.logical_id if function is not None else body.get("FunctionName")
            if not isinstance(name, str):
                continue
            key = (name, body["Qualifier"])
            for other, scenario in seen.get(key, ()):
                if (both := ctx.merge(alt.scenario, scenario)) is not None:
                    message = (
                        f"{other.logical_id} already configures asynchronous invocation of {name}:{key[1]}: the "
                        "second configuration fails to create. Merge them into one."
                    )
                    yield ctx.finding(config, "Properties.Qualifier", message, both)
                    break
            seen.setdefault(key, []).append((config, alt.scenario))


ON_FAILURE = ("sqs", "sns", "s3")
DESTINATION_TYPES = {"AWS::SQS::Queue": "sqs", "AWS::SNS::Topic": "sns", "AWS::S3::Bucket": "s3"}
_ARN_OF = re.compile(r"^arn:[\w-]+:([\w-]+):")


@check(
    "LAMBDA041",
    "lambda-esm-destination-invalid",
    ERROR,
    types=[ESM],
    fix="Send the records of failed batches to an SQS queue, an SNS topic or an S3 bucket.",
    example="Resources:\n  Feed:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n"
    "      FunctionName: orders\n      StartingPosition: LATEST\n"
    "      EventSourceArn: arn:aws:kinesis:us-east-1:123456789012:stream/orders\n      DestinationConfig:\n"
    "        OnFailure: {Destination: arn:aws:lambda:us-east-1:123456789012:function:dead-letters}",
    deploy_failure=True,
)
def esm_destination_invalid(mapping, ctx):
    """An on-failure destination of an event source mapping that is not an SQS queue, an SNS
    topic or an S3 bucket (a Lambda function, an event bus): Lambda refuses the mapping. Source:
    the Lambda developer guide, "Retaining discarded batches for an event source" (supported
    destination types) and the DestinationConfig API reference."""
    for alt in ctx.values(mapping, "Properties.DestinationConfig.OnFailure.Destination"):
        value = alt.value
        if isinstance(value, str):
            found = _ARN_OF.match(value)
            service = found.group(1) if found else None
        else:
            link = ctx.follow(value, alt.scenario)
            service = DESTINATION_TYPES.get(link.type, link.type) if link is not None else None
        if service is not None and service not in ON_FAILURE:
            message = (
                f"An on-failure destination of type {service}: Lambda takes an SQS queue, an SNS topic or an S3 bucket."
            )
            yield ctx.finding(mapping, "Properties.DestinationConfig.OnFailure.Destination", message, alt.scenario)


DLQ_ACTIONS = {
    "AWS::SQS::Queue": ("sqs:SendMessage", "SendMessage on SQS"),
    "AWS::SNS::Topic": ("sns:Publish", "Publish on SNS"),
}
"""The action a function's role needs on its dead-letter queue or topic, and how Lambda's refusal names it."""


@check(
    "LAMBDA005",
    "lambda-dlq-role-without-permission",
    ERROR,
    types=["AWS::Lambda::Function"],
    fix="Grant the function's role sqs:SendMessage on the dead-letter queue (sns:Publish on a topic).",
    example="Resources:\n  Failed:\n    Type: AWS::SQS::Queue\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
    "      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n"
    "            Principal: {Service: lambda.amazonaws.com}\n            Action: sts:AssumeRole\n"
    "  Handler:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.13\n"
    "      Handler: index.handler\n      Role: !GetAtt Role.Arn\n      Code: {ZipFile: pass}\n"
    "      DeadLetterConfig: {TargetArn: !GetAtt Failed.Arn}",
    deploy_failure=True,
)
def dlq_role_without_permission(function, ctx):
    """Lambda checks, when it creates a function with a dead-letter queue or topic, that the
    execution role may send to it, and refuses the function otherwise ("The provided execution
    role does not have permissions to call SendMessage on SQS"). Reported only for a role of this
    template whose every policy is known and none allows the action (on any resource). A
    TargetArn written as a queue's Ref (its URL) is CFN008's. Source: the Lambda developer
    guide, "Dead-letter queues" (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html)."""
    for target in ctx.links(function, "Properties.DeadLetterConfig.TargetArn"):
        if target.type not in DLQ_ACTIONS or target.foreign:
            continue
        action, refused = DLQ_ACTIONS[target.type]
        for role in ctx.links(function, "Properties.Role"):
            both = ctx.merge(target.scenario, role.scenario)
            if both is None or role.type != "AWS::IAM::Role" or role.foreign:
                continue
            if grants.role_allows(ctx, role.resource, action) is False:
                message = (
                    f"Role {role.logical_id} does not allow {action}: Lambda refuses the function with the dead-letter "
                    f'target {target.logical_id} ("The provided execution role does not have permissions to call '
                    f'{refused}"). Grant {action} on it.'
                )
                related = [role.location(ctx, (), message=f"role {role.logical_id}")]
                yield ctx.finding(function, "Properties.DeadLetterConfig.TargetArn", message, both, related=related)
