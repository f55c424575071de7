"""Which combinations of Conditions can hold together.

Conditions are not fixed by parameter defaults: CloudFormation evaluates them with whatever
values the stack is deployed with, so every satisfiable scenario counts. A scenario
(``IsProd=true, IsDev=true``) is satisfiable when some choice of parameter values makes each
named condition take its given value. Parameters given on the command line (and pseudo
parameters given in configuration) are fixed; the others range over their ``AllowedValues``,
or over the literals they are compared with plus "anything else".
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from .references import PSEUDO_PARAMETERS
from .values import Scenario

_OTHER = object()  # a parameter value equal to none of the literals it is compared with
MAX_ASSIGNMENTS = 4096
"""Past this many parameter-value combinations a scenario is assumed satisfiable (never pruned)."""


def _literal(value) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


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
        self._parsing: set[str] = set()
        self._supports: dict[str, frozenset] = {}
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
        variables: set[str] = set()
        atoms: set = set()
        for name, _ in scenario:
            self._collect(self.formula(name), variables, atoms, set())
        domains = [self._domain(v) for v in sorted(variables)] + [(False, True)] * len(atoms)
        size = 1
        for domain in domains:
            size *= len(domain)
        if size > MAX_ASSIGNMENTS:
            names = sorted(name for name, _ in scenario)
            if not self.limits_hit:  # the first is reported; the others are alike
                self.limits_hit.append(
                    (
                        f"whether conditions {', '.join(names)} can hold together depends on {size:,} parameter-value "
                        f"combinations (more than {MAX_ASSIGNMENTS:,}), so it was assumed possible",
                        names[0],
                    )
                )
            return True
        names = sorted(variables)
        atom_list = sorted(atoms, key=repr)
        for choice in itertools.product(*domains):
            values = dict(zip(names, choice[: len(names)], strict=True))
            truths = dict(zip(atom_list, choice[len(names) :], strict=True))
            if all(self._eval(self.formula(n), values, truths, set()) == v for n, v in scenario):
                return True
        return False

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
        parameter = self.parameters.get(variable)
        allowed = getattr(parameter, "allowed_values", None)
        if allowed:
            return tuple(dict.fromkeys(_literal(a) for a in allowed if _literal(a) is not None)) or (_OTHER,)
        return tuple(sorted(self._literals.get(variable, ()))) + (_OTHER,)

    def _collect(self, formula: tuple, variables: set, atoms: set, seen: set) -> None:
        kind = formula[0]
        if kind == "is":
            variables.add(formula[1])
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
