"""Cognito user pools the service refuses."""

from __future__ import annotations

from cfncheck.api import ABSENT, ERROR, check


@check(
    "COG040",
    "cognito-sms-mfa-without-sms-configuration",
    ERROR,
    types=["AWS::Cognito::UserPool"],
    fix="Add SmsConfiguration (an SNS caller role and external id), or enable SOFTWARE_TOKEN_MFA instead of SMS_MFA.",
    example="Resources:\n  Users:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      MfaConfiguration: 'ON'\n"
    "      EnabledMfas: [SMS_MFA]",
    deploy_failure=True,
)
def sms_mfa_without_sms_configuration(pool, ctx):
    """A user pool with SMS MFA enabled (MfaConfiguration ON or OPTIONAL, SMS_MFA in EnabledMfas)
    and no SmsConfiguration: Cognito refuses it ("SMS_MFA can only be enabled if SMS
    configuration is provided"), failing the stack. Source: the Cognito SetUserPoolMfaConfig and
    CreateUserPool API references. (MFA that is off is COG002's advice.)"""
    for alt in ctx.values(pool, "Properties"):
        body = alt.value
        if not isinstance(body, dict) or body.get("MfaConfiguration") not in ("ON", "OPTIONAL"):
            continue
        enabled = body.get("EnabledMfas", ABSENT)
        if isinstance(enabled, list) and "SMS_MFA" in enabled and "SmsConfiguration" not in body:
            message = (
                'SMS_MFA without SmsConfiguration: Cognito refuses the pool ("SMS_MFA can only be enabled if SMS '
                'configuration is provided"). Add SmsConfiguration, or use SOFTWARE_TOKEN_MFA.'
            )
            yield ctx.finding(pool, "Properties.EnabledMfas", message, alt.scenario)
