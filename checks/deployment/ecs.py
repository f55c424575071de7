"""ECS task definitions and services the service refuses, or that never stabilise."""

from __future__ import annotations

import re

from cfncheck.analysis.wiring import depends_on
from cfncheck.api import ABSENT, ERROR, check

TASK, SERVICE = "AWS::ECS::TaskDefinition", "AWS::ECS::Service"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
LISTENERS = ("AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::ListenerRule")
FARGATE_MEMORY = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}
"""The task sizes Fargate runs: CPU units → memory MiB ("Task CPU and memory", Amazon ECS developer
guide, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html)."""
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(vcpu|gb)?\s*$", re.IGNORECASE)


def _units(value) -> int | None:
    """CPU units or MiB from "1024", 1024, "1 vCPU" or "2 GB"; None when not known."""
    found = _SIZE.match(str(value)) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if found is None:
        return None
    number = float(found.group(1))
    return int(number * 1024) if found.group(2) else int(number)


def _fargate(task: dict) -> bool:
    kinds = task.get("RequiresCompatibilities", ABSENT)
    return isinstance(kinds, list) and "FARGATE" in kinds


def _containers(task: dict) -> list[dict]:
    items = task.get("ContainerDefinitions", [])
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def task_definition(ctx, service, scenario):
    """The resolved properties of the task definition of this template that a service runs."""
    for alt in ctx.values(service, "Properties.TaskDefinition"):
        if ctx.merge(alt.scenario, scenario) is None:
            continue
        task = ctx.local(alt.value)
        if task is not None and task.type == TASK:
            bodies = [b.value for b in ctx.values(task, "Properties") if isinstance(b.value, dict)]
            return bodies[0] if len(bodies) == 1 else None
    return None


@check(
    "ECS002",
    "ecs-execution-role-missing",
    ERROR,
    types=[TASK],
    fix="Set ExecutionRoleArn to a role with AmazonECSTaskExecutionRolePolicy (and secretsmanager/ssm read for "
    "secrets): Fargate pulls images, writes awslogs and reads secrets with it.",
    example="Resources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n"
    "      RequiresCompatibilities: [FARGATE]\n      NetworkMode: awsvpc\n      Cpu: '256'\n      Memory: '512'\n"
    "      ContainerDefinitions:\n        - Name: web\n          Image: nginx\n          LogConfiguration:\n"
    "            LogDriver: awslogs\n            Options: {awslogs-group: web, awslogs-region: us-east-1, "
    "awslogs-stream-prefix: web}",
    deploy_failure=True,
)
def execution_role_missing(task, ctx):
    """A Fargate task definition whose containers log with awslogs or read Secrets, without
    ExecutionRoleArn: ECS refuses it ("Fargate requires task definition to have execution role
    ARN to support log driver awslogs"; secrets are read with the same role). Source: the Amazon
    ECS developer guide, "Amazon ECS task execution IAM role"."""
    for alt in ctx.values(task, "Properties"):
        body = alt.value
        if not isinstance(body, dict) or not _fargate(body) or "ExecutionRoleArn" in body:
            continue
        for container in _containers(body):
            logs = container.get("LogConfiguration", {})
            needs = (
                "log driver awslogs"
                if isinstance(logs, dict) and logs.get("LogDriver") == "awslogs"
                else "Secrets"
                if container.get("Secrets")
                else None
            )
            if needs:
                message = (
                    f"A Fargate task whose container {container.get('Name', '')} uses {needs}, without "
                    'ExecutionRoleArn: ECS refuses it ("Fargate requires task definition to have execution role '
                    'ARN"). Set ExecutionRoleArn.'
                )
                yield ctx.finding(task, "Properties.RequiresCompatibilities", message, alt.scenario)
                break


@check(
    "ECS003",
    "ecs-fargate-task-invalid",
    ERROR,
    types=[TASK],
    fix="Give a Fargate task NetworkMode awsvpc and a task-level Cpu and Memory pair Fargate offers "
    "(256/512, 512/1024, 1024/2048…).",
    example="Resources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n"
    "      RequiresCompatibilities: [FARGATE]\n      Cpu: '512'\n      Memory: '512'\n"
    "      ContainerDefinitions:\n        - {Name: web, Image: nginx}",
    deploy_failure=True,
)
def fargate_task_invalid(task, ctx):
    """A task definition for Fargate that ECS refuses: a NetworkMode other than awsvpc (bridge is
    the default: "Fargate only supports network mode 'awsvpc'"), no task-level Cpu or Memory
    ("Fargate requires that 'cpu' be defined at the task level"), or a Cpu and Memory pair
    Fargate does not offer ("No Fargate configuration exists for given values"). Source: the
    Amazon ECS developer guide, "Fargate task definitions" (task CPU and memory)."""
    for alt in ctx.values(task, "Properties"):
        body = alt.value
        if not isinstance(body, dict) or not _fargate(body):
            continue
        mode = body.get("NetworkMode", "bridge")
        if isinstance(mode, str) and mode != "awsvpc":
            default = " (the default)" if "NetworkMode" not in body else ""
            message = (
                f"NetworkMode {mode}{default}: Fargate only runs awsvpc tasks "
                "(\"Fargate only supports network mode 'awsvpc'\")."
            )
            yield ctx.finding(
                task, "Properties.NetworkMode" if "NetworkMode" in body else "Properties", message, alt.scenario
            )
        missing = [key for key in ("Cpu", "Memory") if key not in body]
        if missing:
            message = f"A Fargate task without task-level {' and '.join(missing)}: ECS refuses it."
            yield ctx.finding(task, "Properties", message, alt.scenario)
            continue
        cpu, memory = _units(body["Cpu"]), _units(body["Memory"])
        if cpu is not None and memory is not None and memory not in FARGATE_MEMORY.get(cpu, ()):
            offered = FARGATE_MEMORY.get(cpu)
            hint = (
                f"with {cpu} CPU units, memory is {offered[0]}-{offered[-1]} MiB"
                if offered
                else (f"CPU is one of {', '.join(map(str, FARGATE_MEMORY))}")
            )
            message = f'Fargate has no {cpu} CPU / {memory} MiB task size ("No Fargate configuration exists"): {hint}.'
            yield ctx.finding(task, "Properties.Memory" if offered else "Properties.Cpu", message, alt.scenario)


@check(
    "ECS004",
    "ecs-service-network-config-invalid",
    ERROR,
    types=[SERVICE],
    fix="Give the service NetworkConfiguration.AwsvpcConfiguration with its Subnets (and SecurityGroups).",
    example="Resources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      NetworkMode: awsvpc\n"
    "      ContainerDefinitions:\n        - {Name: web, Image: nginx, Memory: 512}\n  Web:\n"
    "    Type: AWS::ECS::Service\n    Properties:\n      Cluster: default\n      TaskDefinition: !Ref Task",
    deploy_failure=True,
)
def service_network_config_invalid(service, ctx):
    """A service whose tasks use awsvpc (every Fargate task does) without an AwsvpcConfiguration:
    ECS refuses it ("Network Configuration must be provided when networkMode 'awsvpc' is
    specified"). Source: the ECS CreateService API reference (networkConfiguration)."""
    for alt in ctx.values(service, "Properties"):
        body = alt.value
        if not isinstance(body, dict):
            continue
        task = task_definition(ctx, service, alt.scenario)
        awsvpc = isinstance(task, dict) and task.get("NetworkMode") == "awsvpc" or body.get("LaunchType") == "FARGATE"
        config = body.get("NetworkConfiguration", ABSENT)
        subnets = config.get("AwsvpcConfiguration", {}) if isinstance(config, dict) else ABSENT
        if awsvpc and (config is ABSENT or isinstance(subnets, dict) and "Subnets" not in subnets):
            message = (
                "The service's tasks use awsvpc and it has no NetworkConfiguration.AwsvpcConfiguration.Subnets: ECS "
                "refuses it (\"Network Configuration must be provided when networkMode 'awsvpc' is specified\")."
            )
            yield ctx.finding(service, "Properties", message, alt.scenario)


def _target_groups(ctx, service, body):
    """(path, load balancer entry, target group resource) of the service's target groups of this template."""
    entries = body.get("LoadBalancers", [])
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict):
            group = ctx.local(entry.get("TargetGroupArn"))
            if group is not None and group.type == TARGET_GROUP:
                yield ("Properties", "LoadBalancers", index), entry, group


@check(
    "ECS005",
    "ecs-target-group-type-mismatch",
    ERROR,
    types=[SERVICE],
    fix="Use TargetType ip for awsvpc tasks (instance for bridge and host), and name a container and port of the "
    "task's PortMappings.",
    example="Resources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      NetworkMode: awsvpc\n"
    "      ContainerDefinitions:\n"
    "        - {Name: web, Image: nginx, Memory: 512, PortMappings: [{ContainerPort: 80}]}\n"
    "  Targets:\n    Type: AWS::ElasticLoadBalancingV2::TargetGroup\n    Properties: {Port: 80, Protocol: HTTP, "
    "VpcId: vpc-12345678}\n  Web:\n    Type: AWS::ECS::Service\n    Properties:\n      TaskDefinition: !Ref Task\n"
    "      NetworkConfiguration: {AwsvpcConfiguration: {Subnets: [subnet-12345678]}}\n      LoadBalancers:\n"
    "        - {TargetGroupArn: !Ref Targets, ContainerName: web, ContainerPort: 80}",
    deploy_failure=True,
)
def target_group_type_mismatch(service, ctx):
    """A service whose target group does not fit its tasks: awsvpc tasks register their own IPs,
    so their target group must have TargetType ip, and bridge or host tasks need instance (the
    default) — ECS refuses the service ("The provided target group … has target type instance,
    which is incompatible with the awsvpc network mode specified in the task definition"); or a
    ContainerName and ContainerPort the task definition does not map ("The container … did not
    have a container port … defined"). Source: the Amazon ECS developer guide, "Use load
    balancing to distribute Amazon ECS service traffic"."""
    for alt in ctx.values(service, "Properties"):
        body = alt.value
        task = task_definition(ctx, service, alt.scenario) if isinstance(body, dict) else None
        if not isinstance(task, dict):
            continue
        mode = task.get("NetworkMode", "bridge")
        for path, entry, group in _target_groups(ctx, service, body):
            for kind in {g.value for g in ctx.values(group, "Properties.TargetType")}:
                kind = "instance" if kind is ABSENT else kind
                wanted = "ip" if mode == "awsvpc" else "instance" if mode in ("bridge", "host") else None
                if isinstance(kind, str) and wanted and kind in ("ip", "instance") and kind != wanted:
                    message = (
                        f"Target group {group.logical_id} has target type {kind}, incompatible with the task's "
                        f"{mode} network mode: ECS refuses the service. Set its TargetType to {wanted}."
                    )
                    yield ctx.finding(service, path + ("TargetGroupArn",), message, alt.scenario)
            name, port = entry.get("ContainerName"), entry.get("ContainerPort")
            containers = {c.get("Name"): c for c in _containers(task)}
            if isinstance(name, str) and name not in containers and all(isinstance(n, str) for n in containers):
                message = f"ContainerName {name} is not a container of the task definition: ECS refuses the service."
                yield ctx.finding(service, path + ("ContainerName",), message, alt.scenario)
            elif isinstance(name, str) and isinstance(port, int) and name in containers:
                mappings = containers[name].get("PortMappings", [])
                ports = (
                    [m.get("ContainerPort") for m in mappings if isinstance(m, dict)]
                    if isinstance(mappings, list)
                    else None
                )
                if ports is not None and all(isinstance(p, int) for p in ports) and port not in ports:
                    message = (
                        f"Container {name} maps no port {port}: ECS refuses the service "
                        f'("did not have a container port {port} defined").'
                    )
                    yield ctx.finding(service, path + ("ContainerPort",), message, alt.scenario)


def _forwards_to(ctx, listener, group) -> bool:
    """Whether a listener or listener rule of this template sends traffic to ``group``."""
    key = "DefaultActions" if listener.type == LISTENERS[0] else "Actions"
    for alt in ctx.values(listener, ("Properties", key)):
        for action in alt.value if isinstance(alt.value, list) else ():
            if not isinstance(action, dict):
                continue
            targets = [action.get("TargetGroupArn")]
            forward = action.get("ForwardConfig", {})
            if isinstance(forward, dict) and isinstance(forward.get("TargetGroups"), list):
                targets += [t.get("TargetGroupArn") for t in forward["TargetGroups"] if isinstance(t, dict)]
            if any(ctx.refers_to(target, group) for target in targets if target is not None):
                return True
    return False


@check(
    "ECS006",
    "ecs-service-listener-dependency",
    ERROR,
    types=[SERVICE],
    fix="Make the service DependsOn the listener (or listener rule) that forwards to its target group.",
    example="Resources:\n  Targets:\n    Type: AWS::ElasticLoadBalancingV2::TargetGroup\n"
    "    Properties: {Port: 80, Protocol: HTTP, VpcId: vpc-12345678, TargetType: ip}\n  Web:\n"
    "    Type: AWS::ECS::Service\n    Properties:\n      TaskDefinition: web:1\n"
    "      NetworkConfiguration: {AwsvpcConfiguration: {Subnets: [subnet-12345678]}}\n      LoadBalancers:\n"
    "        - {TargetGroupArn: !Ref Targets, ContainerName: web, ContainerPort: 80}",
    deploy_failure=True,
)
def service_listener_dependency(service, ctx):
    """A service whose target group no load balancer forwards to when the service is created: ECS
    refuses to register it ("The target group with targetGroupArn … does not have an associated
    load balancer"). That is the case when no listener of the template forwards to the group, and
    when the listener exists but the service does not DependsOn it (CloudFormation then creates
    both at once). A target group another stack wires is not judged. Source: the Amazon ECS
    developer guide (service load balancing) and the CloudFormation DependsOn reference."""
    for alt in ctx.values(service, "Properties"):
        body = alt.value
        if not isinstance(body, dict):
            continue
        for path, _, group in _target_groups(ctx, service, body):
            listeners = [r for r in ctx.resources(*LISTENERS) if _forwards_to(ctx, r, group)]
            if listeners and any(depends_on(ctx, service, listener) for listener in listeners):
                continue
            if listeners:
                why = f"the service does not DependsOn {listeners[0].logical_id}, which may be created after it"
            elif _wired_elsewhere(ctx, group):
                continue
            else:
                why = "no listener of the template forwards to it"
            message = (
                f"Target group {group.logical_id} has no load balancer when the service is created ({why}): ECS "
                'refuses the service ("does not have an associated load balancer").'
            )
            yield ctx.finding(service, path + ("TargetGroupArn",), message, alt.scenario)


def _wired_elsewhere(ctx, group) -> bool:
    """The group is exported or given to a nested stack: a listener of another stack may forward to it."""
    resources = ctx.template.resources
    for (kind, name), _ in ctx.analysis.users.get(group.logical_id, []):
        if name not in resources or kind != "Resource" or resources[name].type == "AWS::CloudFormation::Stack":
            return True
    return False
