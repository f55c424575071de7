"""Which combinations of Conditions can hold together, and what they say about parameters.

Conditions are not fixed by parameter defaults: CloudFormation evaluates them with whatever
values the stack is deployed with, so every satisfiable scenario counts. A scenario
(``IsProd=true, IsDev=true``) is satisfiable when some choice of parameter values makes each
named condition take its given value. Parameters given on the command line (and pseudo
parameters given in configuration) are fixed; the others range over their ``AllowedValues``,
or over the literals they are compared with (their Default and those of parameters they are
compared with included) plus "anything else".

A scenario also narrows the parameters its conditions test: where ``HasPort`` (``Port`` is not
``''``) is true, ``Port`` is not ``''``, whatever its Default. :meth:`Conditions.restriction`
says which values a parameter can take in a scenario, keeping each parameter's Default where
it is consistent with the scenario (and with the Defaults kept before it).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import NamedTuple

from .references import PSEUDO_PARAMETERS
from .values import Scenario


class _Other:
    """A parameter value equal to none of the literals it is compared with: one shared by every
    parameter (two parameters compared with each other can be equal) and one of each's own."""

    __slots__ = ("owner",)

    def __init__(self, owner: str | None = None) -> None:
        self.owner = owner

    def __repr__(self) -> str:
        return f"<other{' of ' + self.owner if self.owner else ''}>"


_OTHER = _Other()
MAX_ASSIGNMENTS = 4096
"""Past this many parameter-value combinations a scenario is assumed satisfiable (never pruned)."""


def _literal(value) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


class Restriction(NamedTuple):
    """The values a scenario leaves a parameter: ``values`` are literals (as text); ``other``
    is True when some value equal to none of them is also possible."""

    values: frozenset[str]
    other: bool


class Conditions:
    def __init__(self, definitions: Mapping, parameters: Mapping, fixed: Mapping[str, str]) -> None:
        """``definitions``: the Conditions section; ``parameters``: the template's declared
        parameters (name → model); ``fixed``: parameter and pseudo-parameter values known for this run."""
        self.definitions = definitions
        self.parameters = parameters
        self.fixed = fixed
        self._formulas: dict[str, tuple] = {}
        self._cache: dict[Scenario, bool] = {}
        self._literals: dict[str, set[str]] = {}
        self._peers: dict[str, set[str]] = {}  # parameters compared with each other
        self._parsing: set[str] = set()
        self._supports: dict[str, frozenset] = {}
        self._domains: dict[str, tuple] = {}
        self._kept: dict[Scenario, dict[str, str] | None] = {}
        self._restrictions: dict[tuple[str, Scenario], Restriction | None] = {}
        self.limits_hit: list[tuple[str, str]] = []  # (message, first condition named): undecided scenarios
        for name in definitions:
            self.formula(name)

    def formula(self, name: str) -> tuple:
        cached = self._formulas.get(name)
        if cached is not None:
            return cached
        if name not in self.definitions or name in self._parsing:
            result = ("atom", ("condition", name))  # undefined or circular: free, and reported by a check
        else:
            self._parsing.add(name)
            result = self._parse(self.definitions[name], name)
            self._parsing.discard(name)
        self._formulas[name] = result
        return result

    def _parse(self, node, where: str) -> tuple:
        if isinstance(node, bool):
            return ("const", node)
        if isinstance(node, dict) and len(node) == 1:
            ((function, args),) = node.items()
            if function == "Condition" and isinstance(args, str):
                return ("cond", args)
            if function in ("Fn::And", "Fn::Or") and isinstance(args, list):
                return ("and" if function == "Fn::And" else "or", tuple(self._parse(a, where) for a in args))
            if function == "Fn::Not" and isinstance(args, list) and len(args) == 1:
                return ("not", self._parse(args[0], where))
            if function == "Fn::Equals" and isinstance(args, list) and len(args) == 2:
                return self._equals(self._term(args[0]), self._term(args[1]), where)
        return ("atom", ("opaque", where, repr(node)))

    def _term(self, node) -> tuple:
        literal = _literal(node)
        if literal is not None:
            return ("lit", literal)
        if isinstance(node, dict) and len(node) == 1 and isinstance(node.get("Ref"), str):
            name = node["Ref"]
            if name in self.fixed:
                value = self.fixed[name]
                return ("lit", ",".join(value) if isinstance(value, list) else str(value))
            if name in self.parameters or name in PSEUDO_PARAMETERS:
                return ("var", name)
        return ("opaque", repr(node))

    def _equals(self, left: tuple, right: tuple, where: str) -> tuple:
        if left == right:
            return ("const", True)
        if left[0] == "lit" and right[0] == "lit":
            return ("const", False)
        if left[0] == "lit":
            left, right = right, left
        if left[0] == "var" and right[0] == "lit":
            self._literals.setdefault(left[1], set()).add(right[1])
            return ("is", left[1], right[1])
        if left[0] == "var" and right[0] == "var":
            self._peers.setdefault(left[1], set()).add(right[1])
            self._peers.setdefault(right[1], set()).add(left[1])
            return ("same", left[1], right[1])
        return ("atom", ("equals", left, right))

    def satisfiable(self, scenario: Scenario) -> bool:
        if not scenario:
            return True
        cached = self._cache.get(scenario)
        if cached is None:
            cached = self._cache[scenario] = self._search(scenario)
        return cached

    def _search(self, scenario: Scenario) -> bool:
        parts = self._independent(scenario)
        if len(parts) > 1:  # conditions on different parameters: each part is decided alone
            return all(self.satisfiable(part) for part in parts)
        found = self._assignments(scenario, {})
        return found is None or next(found, None) is not None

    def _assignments(self, scenario: Scenario, chosen: Mapping[str, tuple]):
        """The parameter values (by name) under which each condition of the scenario takes its
        value, one dict per assignment, lazily; ``chosen`` narrows some parameters to the given
        values. None when there are too many combinations to try (the limit is recorded)."""
        variables: set[str] = set()
        atoms: set = set()
        for name, _ in scenario:
            self._collect(self.formula(name), variables, atoms, set())
        names = sorted(variables)
        atom_list = sorted(atoms, key=repr)
        domains = [chosen.get(v, self._domain(v)) for v in names] + [(False, True)] * len(atom_list)
        size = 1
        for domain in domains:
            size *= len(domain)
        if size > MAX_ASSIGNMENTS:
            conditions = sorted(name for name, _ in scenario)
            if not self.limits_hit:  # the first is reported; the others are alike
                self.limits_hit.append(
                    (
                        f"whether conditions {', '.join(conditions)} can hold together depends on {size:,} "
                        f"parameter-value combinations (more than {MAX_ASSIGNMENTS:,}), so it was assumed possible",
                        conditions[0],
                    )
                )
            return None
        return self._satisfying(scenario, names, atom_list, domains)

    def _satisfying(self, scenario: Scenario, names: list, atom_list: list, domains: list):
        for choice in itertools.product(*domains):
            values = dict(zip(names, choice[: len(names)], strict=True))
            truths = dict(zip(atom_list, choice[len(names) :], strict=True))
            if all(self._eval(self.formula(n), values, truths, set()) == v for n, v in scenario):
                yield values

    # -- what a scenario says about parameters ----------------------------------------------

    def restriction(self, parameter: str, scenario: Scenario) -> Restriction | None:
        """The values ``parameter`` can take where ``scenario`` holds, or None when its Default
        stands (the scenario does not test it, or its Default is consistent with the scenario
        and with the Defaults of the parameters it is tested with, kept in name order) or when
        that is not known (too many combinations)."""
        key = (parameter, scenario)
        if key in self._restrictions:
            return self._restrictions[key]
        result = None
        part = next((p for p in self._independent(scenario) if ("var", parameter) in self._part_support(p)), None)
        if part is not None:
            kept = self._kept_defaults(part)
            if kept is not None and parameter not in kept:
                chosen = {name: (value,) for name, value in kept.items()}
                found = self._assignments(part, chosen)
                if found is not None:
                    possible = {values[parameter] for values in found}
                    literals = frozenset(v for v in possible if isinstance(v, str))
                    result = Restriction(literals, len(literals) < len(possible))
        self._restrictions[key] = result
        return result

    def _kept_defaults(self, part: Scenario) -> dict[str, str] | None:
        """The parameters of ``part`` that keep their Default there, each checked with the
        Defaults kept before it so that the Defaults kept are consistent together."""
        if part in self._kept:
            return self._kept[part]
        variables: set[str] = set()
        self._collect_all(part, variables)
        kept: dict[str, str] | None = {}
        for name in sorted(variables):
            default = self._default(name)
            if default is None or default not in self._domain(name):
                continue  # no Default, or one its AllowedValues exclude: never a value it can take
            trial = {**{k: (v,) for k, v in kept.items()}, name: (default,)}
            found = self._assignments(part, trial)
            if found is None:
                kept = None
                break
            if next(found, None) is not None:
                kept[name] = default
        self._kept[part] = kept
        return kept

    def _default(self, variable: str) -> str | None:
        parameter = self.parameters.get(variable)
        if parameter is None or not getattr(parameter, "has_default", False) or getattr(parameter, "from_ssm", False):
            return None
        default = _literal(parameter.default)
        if default is None and isinstance(parameter.default, list):
            default = ",".join(str(item) for item in parameter.default)
        return default

    def _collect_all(self, scenario: Scenario, variables: set) -> None:
        atoms: set = set()
        for name, _ in scenario:
            self._collect(self.formula(name), variables, atoms, set())

    def _part_support(self, part: Scenario) -> frozenset:
        return frozenset().union(*(self._support(name) for name, _ in part))

    def _support(self, name: str) -> frozenset:
        """The parameters and opaque terms a condition's value depends on."""
        found = self._supports.get(name)
        if found is None:
            variables: set[str] = set()
            atoms: set = set()
            self._collect(self.formula(name), variables, atoms, set())
            found = self._supports[name] = frozenset(("var", v) for v in variables) | {("atom", a) for a in atoms}
        return found

    def _independent(self, scenario: Scenario) -> list[Scenario]:
        """The scenario split into parts that share no parameter (nor opaque term), in a fixed
        order: 20 conditions on 20 parameters are 20 small questions, not a million assignments."""
        groups: list[tuple[frozenset, set]] = []
        for pair in sorted(scenario):
            support, pairs = self._support(pair[0]), {pair}
            kept = []
            for other_support, other_pairs in groups:
                if other_support & support:
                    support, pairs = support | other_support, pairs | other_pairs
                else:
                    kept.append((other_support, other_pairs))
            groups = kept + [(support, pairs)]
        return sorted((Scenario(pairs) for _, pairs in groups), key=min)

    def _domain(self, variable: str) -> tuple:
        """The values worth trying for a parameter: its AllowedValues; else the literals it (or
        a parameter it is compared with) is compared with or defaults to, and values equal to
        none of them — one of its own, and one it shares with the parameters it is compared with."""
        found = self._domains.get(variable)
        if found is not None:
            return found
        parameter = self.parameters.get(variable)
        allowed = getattr(parameter, "allowed_values", None)
        if allowed:
            found = tuple(dict.fromkeys(_literal(a) for a in allowed if _literal(a) is not None)) or (_OTHER,)
        else:
            group = self._group(variable)
            literals = {lit for name in group for lit in self._literals.get(name, ())}
            literals |= {d for name in group if (d := self._default(name)) is not None}
            others = (_OTHER, _Other(variable)) if len(group) > 1 else (_OTHER,)
            found = tuple(sorted(literals)) + others
        self._domains[variable] = found
        return found

    def _group(self, variable: str) -> set[str]:
        """The parameter and those compared with it, directly or not."""
        group, pending = {variable}, [variable]
        while pending:
            for peer in self._peers.get(pending.pop(), ()):
                if peer not in group:
                    group.add(peer)
                    pending.append(peer)
        return group

    def _collect(self, formula: tuple, variables: set, atoms: set, seen: set) -> None:
        kind = formula[0]
        if kind == "is":
            variables.add(formula[1])
        elif kind == "same":
            variables.update(formula[1:])
        elif kind == "atom":
            atoms.add(formula[1])
        elif kind in ("and", "or"):
            for part in formula[1]:
                self._collect(part, variables, atoms, seen)
        elif kind == "not":
            self._collect(formula[1], variables, atoms, seen)
        elif kind == "cond" and formula[1] not in seen:
            seen.add(formula[1])
            self._collect(self.formula(formula[1]), variables, atoms, seen)

    def _eval(self, formula: tuple, values: dict, truths: dict, seen: set) -> bool:
        kind = formula[0]
        if kind == "const":
            return formula[1]
        if kind == "is":
            return values[formula[1]] == formula[2]
        if kind == "same":
            return values[formula[1]] == values[formula[2]]
        if kind == "atom":
            return truths[formula[1]]
        if kind == "and":
            return all(self._eval(p, values, truths, seen) for p in formula[1])
        if kind == "or":
            return any(self._eval(p, values, truths, seen) for p in formula[1])
        if kind == "not":
            return not self._eval(formula[1], values, truths, seen)
        name = formula[1]  # "cond"
        if name in seen:
            return False
        return self._eval(self.formula(name), values, truths, seen | {name})
