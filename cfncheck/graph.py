"""The dependency graph of a template: who refers to whom, through which function, from where.

Nodes are ``(kind, name)`` pairs — kind is Resource, Parameter, Condition, Mapping or Output —
so a parameter and a resource of the same name stay apart. An edge runs from the user to the
thing used and carries the kinds of use (Ref, GetAtt, Sub, DependsOn, Condition, FindInMap) and
the path of each use inside the user.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .references import Use, iter_uses, resource_uses
from .template import Template

if TYPE_CHECKING:  # networkx takes a tenth of a second to import: only when a graph is built
    import networkx as nx

RESOURCE, PARAMETER, CONDITION, MAPPING, OUTPUT = "Resource", "Parameter", "Condition", "Mapping", "Output"

SAM_SPLIT_PROPERTIES = {
    "AWS::Serverless::Function": ("Events", "DeploymentPreference"),
    "AWS::Serverless::StateMachine": ("Events",),
    "AWS::Serverless::GraphQLApi": ("DataSources", "Functions", "Resolvers"),
}
"""Properties the SAM transform turns into resources of their own (permissions, event source
mappings, the deployment group that watches a function's alarms, AppSync data sources…): what
they name is a dependency of those, not of the SAM resource, so they never close a cycle
through it. The generated resources (``Template.generated``) carry those edges."""


def _target(template: Template, use: Use) -> tuple[str, str] | None:
    if use.kind == "Condition":
        return (CONDITION, use.target)
    if use.kind == "FindInMap":
        return (MAPPING, use.target)
    if use.kind in ("Ref", "Sub") and use.attribute is None and use.target in template.parameters:
        return (PARAMETER, use.target)
    if use.target in template.resources or use.target in template.generated:
        return (RESOURCE, use.target)
    module = template.module_of(use.target)
    return (RESOURCE, module) if module is not None else None


def _all_resources(template: Template) -> dict:
    """The written resources, then those the SAM transform generates."""
    return {**template.generated, **template.resources} if template.generated else template.resources


def _detached(use: Use, split: tuple[str, ...]) -> bool:
    return use.path[:1] == ("Properties",) and use.path[1:2] in [(p,) for p in split]


def build_graph(template: Template) -> nx.MultiDiGraph:
    import networkx as nx

    graph = nx.MultiDiGraph()
    for name, parameter in template.parameters.items():
        graph.add_node((PARAMETER, name), line=parameter.node.mark.line)
    for name in template.mappings:
        graph.add_node((MAPPING, name), line=template.mappings.key_marks[name].line)
    for name in template.conditions:
        graph.add_node((CONDITION, name), line=template.conditions.key_marks[name].line)
    for name, resource in _all_resources(template).items():
        graph.add_node((RESOURCE, name), type=resource.type, line=resource.node.mark.line)
    for name, output in template.outputs.items():
        graph.add_node((OUTPUT, name), line=output.node.mark.line)

    def connect(source, uses, split=()):
        for use in uses:
            target = _target(template, use)
            if target is not None and target in graph:
                detached = _detached(use, split)
                graph.add_edge(source, target, kind=use.kind, path=use.path, attribute=use.attribute, detached=detached)

    for name, node in template.conditions.items():
        connect((CONDITION, name), iter_uses(node, ("Conditions", name)))
    for name, resource in _all_resources(template).items():
        connect((RESOURCE, name), resource_uses(resource.node), SAM_SPLIT_PROPERTIES.get(resource.type, ()))
    for name, output in template.outputs.items():
        connect((OUTPUT, name), iter_uses(output.node))
    return graph


def resource_dependencies(template: Template, *, detached: bool = True) -> dict[str, set[str]]:
    """The resources each resource uses (DependsOn, Ref, GetAtt, Sub…): the edges between
    resources of :func:`build_graph`, found without building it (nor importing networkx).
    ``detached=False`` leaves out the uses that the SAM transform moves to resources of their own."""
    return {
        name: {
            target[1]
            for use in resource_uses(resource.node)
            if (target := _target(template, use)) is not None
            and target[0] == RESOURCE
            and (detached or not _detached(use, SAM_SPLIT_PROPERTIES.get(resource.type, ())))
        }
        for name, resource in _all_resources(template).items()
    }


def resource_users(template: Template) -> dict[str, list[tuple[tuple[str, str], Use]]]:
    """For each resource, who uses it and how: ``((kind, name), use)`` for each resource or output
    that uses it — the edges into the resource in :func:`build_graph`, found without building it."""
    everything = _all_resources(template)
    found: dict[str, list[tuple[tuple[str, str], Use]]] = {name: [] for name in everything}
    users = [((RESOURCE, n), resource_uses(r.node)) for n, r in everything.items()]
    users += [((OUTPUT, n), iter_uses(o.node)) for n, o in template.outputs.items()]
    for user, uses in users:
        for use in uses:
            target = _target(template, use)
            if target is not None and target[0] == RESOURCE:
                found[target[1]].append((user, use))
    return found


def reaches(dependencies: dict[str, set[str]], start: str, end: str) -> bool:
    """Whether resource ``start`` depends on ``end``, directly or through other resources (only
    resources lead on to resources, so this is a path in the graph)."""
    if start not in dependencies or end not in dependencies:
        return False
    seen, pending = {start}, [start]
    while pending:
        name = pending.pop()
        if name == end:
            return True
        for following in dependencies[name] - seen:
            seen.add(following)
            pending.append(following)
    return False


def has_resource_cycle(template: Template) -> bool:
    """Whether some resources depend on each other in a cycle (the edges :func:`resource_cycles`
    follows), found without building the graph: most templates have none."""
    depends = resource_dependencies(template, detached=False)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in depends:
        if start in state:
            continue
        state[start] = 1
        stack = [(start, iter(depends[start]))]
        while stack:  # depth-first, without recursion: dependency chains can be long
            name, pending = stack[-1]
            following = next(pending, None)
            if following is None:
                state[name] = 2
                stack.pop()
            elif state.get(following) == 1:
                return True
            elif following not in state:
                state[following] = 1
                stack.append((following, iter(depends[following])))
    return False


def resource_cycles(graph: nx.MultiDiGraph) -> list[list[str]]:
    """Each cycle among resources once, as logical ids in dependency order, smallest id first."""
    import networkx as nx

    # Sorted, so that the cycle found in a component with several does not follow the template's key order.
    resources = nx.DiGraph()
    resources.add_nodes_from(sorted(n for n in graph if n[0] == RESOURCE))
    resources.add_edges_from(
        sorted({(s, t) for s, t, d in graph.edges(data=True) if s[0] == t[0] == RESOURCE and not d.get("detached")})
    )
    cycles = []
    for component in nx.strongly_connected_components(resources):
        nodes = sorted(component)
        if len(nodes) == 1 and not resources.has_edge(nodes[0], nodes[0]):
            continue
        view = resources.subgraph(nodes)
        cycle = nx.find_cycle(view, source=nodes[0])
        cycles.append([edge[0][1] for edge in cycle])
        drop_views(view)
    drop_views(resources)
    return sorted(cycles)


def drop_views(graph: nx.Graph) -> None:
    """Forget the views networkx keeps on a graph once asked for them (``edges``, ``degree``…):
    each refers back to the graph, a cycle that would keep it alive while the run has the cyclic
    collector off. networkx makes them again when asked."""
    for name in [name for name, value in vars(graph).items() if getattr(value, "_graph", None) is graph]:
        delattr(graph, name)


def edges_between(graph: nx.MultiDiGraph, source: tuple, target: tuple) -> list[dict]:
    """The uses from source to target, those that count as dependencies first."""
    edges = graph.get_edge_data(source, target, default={}).values()
    return sorted(edges, key=lambda d: bool(d.get("detached")))


def _label(node: tuple) -> str:
    return f"{node[0]}:{node[1]}"


def to_dot(graph: nx.MultiDiGraph) -> str:
    shapes = {RESOURCE: "box", PARAMETER: "ellipse", CONDITION: "diamond", MAPPING: "folder", OUTPUT: "note"}
    lines = ["digraph template {", "  rankdir=LR;"]
    for node, data in sorted(graph.nodes(data=True)):
        label = node[1] + (f"\\n{data['type']}" if data.get("type") else "")
        lines.append(f'  "{_label(node)}" [shape={shapes[node[0]]}, label="{label}"];')
    for source, target, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1], e[2]["kind"])):
        lines.append(f'  "{_label(source)}" -> "{_label(target)}" [label="{data["kind"]}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(graph: nx.MultiDiGraph) -> str:
    ids = {node: f"n{index}" for index, node in enumerate(sorted(graph.nodes))}
    brackets = {
        RESOURCE: ("[", "]"),
        PARAMETER: ("([", "])"),
        CONDITION: ("{", "}"),
        MAPPING: ("[(", ")]"),
        OUTPUT: ("[/", "/]"),
    }
    lines = ["graph LR"]
    for node in sorted(graph.nodes):
        left, right = brackets[node[0]]
        lines.append(f'  {ids[node]}{left}"{node[0]}: {node[1]}"{right}')
    for source, target, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1], e[2]["kind"])):
        lines.append(f"  {ids[source]} -->|{data['kind']}| {ids[target]}")
    return "\n".join(lines) + "\n"


def to_json(graph: nx.MultiDiGraph) -> str:
    nodes = [{"id": _label(n), "kind": n[0], "name": n[1], **d} for n, d in sorted(graph.nodes(data=True))]
    edges = [
        {
            "source": _label(s),
            "target": _label(t),
            "kind": d["kind"],
            "path": list(d["path"]),
            "attribute": d["attribute"],
        }
        for s, t, d in sorted(
            graph.edges(data=True), key=lambda e: (e[0], e[1], e[2]["kind"], tuple(map(str, e[2]["path"])))
        )
    ]
    return json.dumps({"nodes": nodes, "edges": edges}, indent=2) + "\n"
