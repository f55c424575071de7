"""Availability of Amazon MQ brokers."""

from __future__ import annotations

from cfncheck.api import WARNING, check


@check(
    "MQ001",
    "mq-single-instance",
    WARNING,
    types=["AWS::AmazonMQ::Broker"],
    fix="Set `DeploymentMode: ACTIVE_STANDBY_MULTI_AZ` (ActiveMQ) or `CLUSTER_MULTI_AZ` (RabbitMQ).",
    example="""
    Broker:
      Type: AWS::AmazonMQ::Broker
      Properties:
        BrokerName: orders
        EngineType: ACTIVEMQ
        HostInstanceType: mq.m5.large
        DeploymentMode: SINGLE_INSTANCE
        PubliclyAccessible: false
        Users: [{Username: app, Password: '{{resolve:secretsmanager:mq:SecretString:password}}'}]
    """,
)
def mq_single_instance(broker, ctx):
    """A single-instance broker runs on one machine in one Availability Zone: maintenance, a host
    failure or a zone outage stops messaging. Amazon MQ "can run in HA with failover" (seed notes
    002 MQ-01, 000/003 #37 #38): an active/standby pair for ActiveMQ, a three-node cluster for
    RabbitMQ. A mode the engine does not support fails the deployment, which is not this advice.
    """
    for alt in ctx.values(broker, "Properties.DeploymentMode"):
        if alt.value == "SINGLE_INSTANCE":
            yield ctx.finding(
                broker,
                "Properties.DeploymentMode",
                "This broker is a single instance: maintenance or a zone outage stops messaging. Use "
                "ACTIVE_STANDBY_MULTI_AZ (ActiveMQ) or CLUSTER_MULTI_AZ (RabbitMQ).",
                alt.scenario,
            )
