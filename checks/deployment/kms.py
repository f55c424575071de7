"""KMS keys the service refuses, and encrypted resources refused because of their key."""

from __future__ import annotations

from cfncheck.analysis.grants import action_allowed, key_refusals, keys_named
from cfncheck.analysis.policy import RESOURCE, readable_statements
from cfncheck.api import ABSENT, ERROR, as_bool, check

ENCRYPTING_SERVICES = {
    "AWS::Logs::LogGroup": ("KmsKeyId", "logs.amazonaws.com", ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey")),
    "AWS::CloudTrail::Trail": ("KMSKeyId", "cloudtrail.amazonaws.com", ("kms:GenerateDataKey",)),
}
"""Resources whose creation fails when their service may not use the key (the property naming the
key, the service principal, and the actions it must be allowed)."""
REFUSED = {
    "AWS::Logs::LogGroup": "The specified KMS key does not exist or is not allowed to be used with Arn",
    "AWS::CloudTrail::Trail": "InsufficientEncryptionPolicyException: Insufficient permissions to access S3 bucket "
    "or KMS key",
}


@check(
    "KMS040",
    "kms-key-refused-to-service",
    ERROR,
    types=list(ENCRYPTING_SERVICES),
    fix="Add a key policy statement allowing the service principal (logs.REGION.amazonaws.com, "
    "cloudtrail.amazonaws.com) the actions it needs, with an encryption-context or aws:SourceArn condition.",
    example="Resources:\n  Key:\n    Type: AWS::KMS::Key\n  Logs:\n    Type: AWS::Logs::LogGroup\n"
    "    Properties:\n      KmsKeyId: !GetAtt Key.Arn",
    deploy_failure=True,
)
def key_refused_to_service(resource, ctx):
    """A log group or trail encrypted with a key of the run whose policy does not let the service
    use it: CloudWatch Logs refuses to create the log group ("The specified KMS key does not exist
    or is not allowed to be used with Arn …") and CloudTrail the trail
    ("InsufficientEncryptionPolicyException"). A key without KeyPolicy has the default policy,
    which lets no service in. A policy that cannot be read makes the check silent. (A queue or
    topic is created with such a key and loses messages later: KMS004's warning.) Source: the
    CloudWatch Logs user guide, "Encrypt log data in CloudWatch Logs using AWS KMS", and the
    CloudTrail user guide, "Configure AWS KMS key policies for CloudTrail"."""
    key_property, service, actions = ENCRYPTING_SERVICES[resource.type]
    for alt in ctx.values(resource, ("Properties", key_property)):
        for key in keys_named(ctx.follow(alt.value, alt.scenario)):
            refused = key_refusals(ctx, key, [service], actions)
            if refused:
                message = (
                    f"The policy of key {key.describe()} does not allow {service} {' and '.join(refused[service])}: "
                    f'the service refuses to create the resource ("{REFUSED[resource.type]}").'
                )
                related = [key.location(ctx, "Properties.KeyPolicy", message="the key policy")]
                yield ctx.finding(resource, ("Properties", key_property), message, alt.scenario, related=related)


@check(
    "KMS003",
    "kms-key-policy-lockout",
    ERROR,
    types=["AWS::KMS::Key"],
    fix="Keep a statement that lets the account (arn:…:iam::ACCOUNT:root) or the administrators' role call "
    "kms:PutKeyPolicy (kms:* for the account root is KMS's default).",
    example="Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy:\n"
    "        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n"
    "            Principal: {AWS: arn:aws:iam::123456789012:role/app}\n"
    "            Action: [kms:Encrypt, kms:Decrypt]\n            Resource: '*'",
    deploy_failure=True,
)
def key_policy_lockout(key, ctx):
    """A key policy that lets no principal change it (no Allow of kms:PutKeyPolicy, kms:* or *):
    KMS refuses it, as no one could ever manage the key again ("MalformedPolicyDocumentException:
    The new key policy will not allow you to update the key policy in the future"), unless
    BypassPolicyLockoutSafetyCheck is set. A policy that cannot be read is not judged. Source: the
    KMS CreateKey API reference (BypassPolicyLockoutSafetyCheck) and the KMS developer guide,
    "Default key policy"."""
    for alt in ctx.values(key, "Properties"):
        body = alt.value
        if not isinstance(body, dict) or body.get("KeyPolicy", ABSENT) is ABSENT:
            continue
        if as_bool(body.get("BypassPolicyLockoutSafetyCheck", ABSENT), False) is not False:
            continue
        statements = readable_statements(ctx, key, (RESOURCE,))
        if statements is None or not statements:
            continue
        granted = [action_allowed(s, "kms:PutKeyPolicy") for s in statements if s.allows and s.scenario == alt.scenario]
        if granted and all(verdict is False for verdict in granted):
            message = (
                'No statement of the key policy allows kms:PutKeyPolicy: KMS refuses it ("The new key policy will not '
                'allow you to update the key policy in the future"). Let the account root or an admin role manage it.'
            )
            yield ctx.finding(key, "Properties.KeyPolicy", message, alt.scenario)
