"""ECS task definitions: where the containers' output goes."""

from __future__ import annotations

from cfncheck.api import ABSENT, INFO, WARNING, Child, check, lookup

LOG_GROUP = "AWS::Logs::LogGroup"


@check(
    "ECS001",
    "ecs-container-logging-missing",
    WARNING,
    types=["AWS::ECS::TaskDefinition"],
    fix="Give each container a `LogConfiguration` (`LogDriver: awslogs` with `awslogs-group`, `awslogs-region` and "
    "`awslogs-stream-prefix`, or `awsfirelens`).",
    example="""
    Task:
      Type: AWS::ECS::TaskDefinition
      Properties:
        ContainerDefinitions:
          - Name: web
            Image: nginx
    """,
    children=[
        Child(
            "ECS017",
            "ecs-awslogs-group-not-created",
            INFO,
            "A container logs with `awslogs` to a group that this template does not create and that ECS is not "
            "told to create (`awslogs-create-group: 'true'`): unless the group exists already, the task fails "
            "to start (ResourceInitializationError).",
            fix="Create the group in the template (an `AWS::Logs::LogGroup` named in `awslogs-group`), or set "
            "`awslogs-create-group: 'true'`.",
        )
    ],
)
def ecs_container_logging(task, ctx):
    """A container without a log configuration writes its output to the Docker daemon of the host
    (on Fargate: nowhere reachable): when the task stops, its logs are gone (seed notes 001 #173
    "You need to setup logging at the task definition level", 002 ECS-05).

    Each container definition is checked. ECS017 notes an `awslogs` group that may not exist; a
    group named by a parameter or an import outside the run is not judged. Missing `awslogs`
    options, or a driver Fargate does not support, fail the deployment and are not this advice.
    """
    for path, alt in ctx.elements(task, "Properties.ContainerDefinitions"):
        container = alt.value
        if not isinstance(container, dict):
            continue
        config = lookup(container, "LogConfiguration")
        if config is ABSENT:
            name = container.get("Name")
            named = f"Container {name}" if isinstance(name, str) else "This container"
            yield ctx.finding(
                task,
                path,
                f"{named} has no LogConfiguration: its output stays on the host and is lost with the task; add one "
                "(awslogs or awsfirelens).",
                alt.scenario,
            )
        elif lookup(config, "LogDriver") == "awslogs" and not _group_provided(ctx, lookup(config, "Options")):
            yield ctx.finding(
                task,
                path + ("LogConfiguration", "Options", "awslogs-group"),
                "This awslogs group is not created by the template and awslogs-create-group is not 'true': unless "
                "it exists already, the task fails to start. Create it here or let ECS create it.",
                alt.scenario,
                rule="ECS017",
            )


def _group_provided(ctx, options) -> bool:
    """Whether the awslogs group is created by the template or by ECS; a group that is not a
    literal name (a reference, a parameter, an import) is not judged."""
    if not isinstance(options, dict) or str(options.get("awslogs-create-group", "")).lower() == "true":
        return True
    group = options.get("awslogs-group", ABSENT)
    if not isinstance(group, str):
        return True
    names = [
        named.value
        for log_group in ctx.resources(LOG_GROUP)
        for named in ctx.values(log_group, "Properties.LogGroupName")
    ]
    return group in names or any(not isinstance(name, str) for name in names)
