"""Resolving intrinsic functions, as far as the template allows and no further.

``Resolver.resolve(node)`` returns the alternatives a node can take, each with the scenario
of Conditions that selects it; ``Resolver.get(node, path)`` walks a property path through
intrinsics on the way and resolves only what it reaches. What cannot be known becomes
``Unknown`` with the reason; nothing is guessed. Work is memoised per (node, scenario) and
capped per value: past the cap the value is unknown and the cap is recorded, so the run can
say what was not analysed.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Mapping

from . import sam
from .conditions import Conditions
from .language_extensions import Expander, has_loops
from .nodes import Mark, MarkedDict, MarkedList
from .references import PSEUDO_PARAMETERS, getatt_parts, split_sub_variable, sub_parts
from .template import LANGUAGE_EXTENSIONS, Skipped, Template
from .values import ABSENT, ALWAYS, AZ, Alt, AvailabilityZones, Reference, Scenario, Unknown, as_number

MAX_ALTERNATIVES = 64
"""Alternatives one value may have before it is reported as too conditional to analyse."""

MAX_TEXT = 1_000_000
"""Characters of a text built by Fn::Join or Fn::Sub; CloudFormation's whole template body is at most 1 MB."""
MAX_CIDR_COUNT = 256
"""Fn::Cidr makes at most 256 blocks."""

Importer = Callable[[str], object]
"""Maps an export name to its value in another template of the run, or ABSENT when unknown."""


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


class _TooManyScenarios(Exception):
    """Raised where the arguments of a function combine into more scenarios than the cap allows;
    the function's value is then reported as not analysed."""


class _TooLong(Exception):
    """Raised where Fn::Join or Fn::Sub would build a text longer than MAX_TEXT (a 1 MB template
    repeating a long parameter can ask for gigabytes); the value is then reported as not analysed."""


class Resolver:
    def __init__(
        self,
        template: Template,
        parameters: Mapping[str, object] | None = None,
        region: str | None = None,
        account_id: str | None = None,
        importer: Importer | None = None,
        given_at: Mapping[str, object] | None = None,
    ) -> None:
        self.template = template
        self.given = dict(parameters or {})
        self.given_at = dict(given_at or {})
        """Where each given value comes from (``parameters.Given``: a parameters file's line), when known."""
        self.region = region
        self.importer = importer
        self.pseudo: dict[str, object] = {}
        if region:
            self.pseudo.update(
                {
                    "AWS::Region": region,
                    "AWS::Partition": _partition(region),
                    "AWS::URLSuffix": "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com",
                }
            )
        if account_id:
            self.pseudo["AWS::AccountId"] = account_id
        fixed = {k: v for k, v in self.given.items() if k in template.parameters}
        fixed.update(self.pseudo)
        self.conditions = Conditions(template.conditions, template.parameters, fixed)
        self.limits_hit: list[str] = []
        self.limit_marks: list[Mark | None] = []  # where each of limits_hit was met: the value's region
        self.skipped: list[Skipped] = []  # the values given up on, with where they are written
        # Keyed by id(node): the node is kept with its result so that its id is never reused for another node.
        self._memo: dict[tuple, tuple[object, list[Alt]]] = {}
        self._parameter_values: dict[str, object] = {}
        if template.expanded is None and LANGUAGE_EXTENSIONS in template.transforms and has_loops(template):
            self._expand_loops()
        if template.is_sam and not template.generated:
            template.generated = sam.resources(template, sam.generate(template, self.known))

    def _expand_loops(self) -> None:
        """Expand the template's ``Fn::ForEach`` loops with this run's parameter values, as the
        transform does before CloudFormation reads the template; conditions are read again."""
        template = self.template
        expander = Expander(self._collection)
        root = expander.root(template.document.root)
        template.use_expanded(root, expander.skipped, expander.iterations)
        self.conditions = Conditions(template.conditions, template.parameters, self.conditions.fixed)
        self._memo.clear()

    def forget(self) -> None:
        """Drop the values resolved so far (they are resolved again when asked)."""
        self._memo.clear()

    def known(self, node):
        """The value of ``node`` when it is plain data that does not depend on conditions, else None."""
        alts = self.resolve(node)
        return alts[0].value if len(alts) == 1 and _plain(alts[0].value) else None

    def _collection(self, node):
        """The items of a loop's collection, or Unknown saying why they are not known."""
        alts = self.resolve(node)
        if len(alts) != 1:
            return Unknown("it depends on conditions")
        value = alts[0].value
        if isinstance(value, list) and _plain(value):
            return value
        return value if isinstance(value, Unknown) else Unknown("it is not a list")

    # -- public -------------------------------------------------------------------------

    def satisfiable(self, scenario: Scenario) -> bool:
        return self.conditions.satisfiable(scenario)

    def resolve(self, node, scenario: Scenario = ALWAYS) -> list[Alt]:
        """Every value ``node`` can take, with the scenario that selects it."""
        if isinstance(node, str):
            if "{{resolve:" in node:
                return [Alt(Unknown("a dynamic reference, resolved at deploy time", text=node), scenario)]
            return [Alt(node, scenario)]
        if not isinstance(node, (dict, list)):
            return [Alt(node, scenario)]
        key = (id(node), scenario)
        cached = self._memo.get(key)
        if cached is not None:
            return cached[1]
        function = _function(node)
        if function is None:
            result = self._container(node, scenario)
        else:
            handler = self._FUNCTIONS.get(function)
            if handler is not None:
                try:
                    result = handler(self, node[function], scenario)
                except _TooManyScenarios:
                    result = self._not_analysed(scenario, node)
                except _TooLong:
                    message = f"a text longer than {MAX_TEXT:,} characters was not built"
                    result = self._not_analysed(scenario, node, message)
            else:
                result = [Alt(Unknown(f"{function} is not evaluated by cfncheck"), scenario)]
        result = self._bounded(result, scenario, node)
        self._memo[key] = (node, result)
        return result

    def get(self, node, path, scenario: Scenario = ALWAYS) -> list[Alt]:
        """The alternatives of ``node[path…]``, following intrinsics met on the way; ABSENT where missing."""
        result: list[Alt] = []
        for alt in self._walk(node, path, scenario):
            result.extend(self.resolve(alt.value, alt.scenario) if alt.value is not ABSENT else [alt])
        return self._bounded(result, scenario, node)

    def elements(self, node, path, scenario: Scenario = ALWAYS, *, resolved: bool = True) -> list[tuple[int, Alt]]:
        """Each item of the list at ``node[path…]`` with its index as written, so a finding can
        point at it: a list chosen by ``Fn::If`` is indexed in its branch, an item that resolves
        to ``AWS::NoValue`` is left out without shifting the others, and a list that is not
        known (or absent) has no items. With ``resolved=False`` an item is given as written
        (``Fn::If`` unwrapped, as ``reach`` does), so a caller can walk into it and keep the
        scenarios of conditions deep inside apart."""
        expand = self.resolve if resolved else self._shallow
        result: list[tuple[int, Alt]] = []
        for alt in self._walk(node, path, scenario):
            if not isinstance(alt.value, list):
                continue
            for index, item in enumerate(alt.value):
                result.extend(
                    (index, item_alt) for item_alt in expand(item, alt.scenario) if item_alt.value is not ABSENT
                )
        return result

    def reach(self, node, path, scenario: Scenario = ALWAYS) -> list[Alt]:
        """The nodes at ``node[path…]`` as written (``Fn::If`` unwrapped, other intrinsics resolved),
        so a caller can walk further and report paths that match the template's own structure."""
        return self._walk(node, path, scenario)

    def _walk(self, node, path, scenario: Scenario) -> list[Alt]:
        """The alternatives of ``node[path…]``, resolved only as far as needed to walk the path;
        none where the scenario cannot hold (a resource whose Condition the given parameters make false)."""
        if scenario and not self.conditions.satisfiable(scenario):
            return []
        alts = self._shallow(node, scenario)
        for key in path:
            following: list[Alt] = []
            for alt in alts:
                value = alt.value
                if isinstance(value, dict):
                    child = value.get(key, ABSENT)
                elif isinstance(value, list) and isinstance(key, int):
                    child = value[key] if -len(value) <= key < len(value) else ABSENT
                elif value is ABSENT or isinstance(value, Unknown):
                    following.append(alt)
                    continue
                else:
                    following.append(Alt(Unknown(f"{key} is read from a value that is not a mapping"), alt.scenario))
                    continue
                if child is ABSENT:
                    following.append(Alt(ABSENT, alt.scenario))
                else:
                    following.extend(self._shallow(child, alt.scenario))
            alts = following
        return alts

    def parameter_value(self, name: str, scenario: Scenario = ALWAYS):
        """The value a parameter takes in this run where ``scenario`` holds: given, else its
        Default where the scenario's conditions allow it, else the one value they leave it, else
        Unknown (see :meth:`parameter_origin`)."""
        value = self._parameter_value(name)
        restriction = self._restriction(name, scenario)
        if restriction is None:
            return value
        parameter = self.template.parameters[name]
        if len(restriction.values) == 1 and not restriction.other:
            (value,) = restriction.values
            return _split_list(value) if parameter.is_list else value
        shown = ", ".join(repr(v) for v in sorted(restriction.values)[:5])
        if restriction.other:
            shown = f"{shown} or another value" if shown else "a value"
        else:
            shown = f"one of {shown}"
        reason = f"parameter {name} is {shown} when {scenario}"
        if parameter.has_default:
            reason += f" (not its Default {parameter.default!r})"
        return Unknown(reason)

    def parameter_origin(self, name: str, scenario: Scenario = ALWAYS) -> str | None:
        """Where :meth:`parameter_value` takes the value from in ``scenario``: "given" (this run's
        parameters), "default", "condition" (the only value the scenario's conditions leave it),
        or None when it is not known."""
        if name in self.given:
            return "given"
        value = self.parameter_value(name, scenario)
        if isinstance(value, Unknown):
            return None
        return "default" if self._restriction(name, scenario) is None else "condition"

    def _restriction(self, name: str, scenario: Scenario):
        """What the scenario's conditions say about a parameter whose value is not given."""
        if not scenario or name in self.given or self.template.parameters[name].from_ssm:
            return None
        return self.conditions.restriction(name, scenario)

    def _parameter_value(self, name: str):
        """The value of a parameter in this run, before any scenario: given, else its Default."""
        if name in self._parameter_values:
            return self._parameter_values[name]
        parameter = self.template.parameters[name]
        if name in self.given:
            value = self.given[name]
        elif parameter.from_ssm:
            value = Unknown(f"parameter {name} is read from SSM Parameter Store at deploy time")
        elif parameter.has_default:
            value = parameter.default
            if not isinstance(value, (str, int, float, bool, list)):
                value = Unknown(f"parameter {name} has a Default that is not a plain value")
        else:
            value = Unknown(f"parameter {name} has no Default and no value was given")
        if parameter.is_list and isinstance(value, str):
            value = _split_list(value)
        self._parameter_values[name] = value
        return value

    # -- machinery ----------------------------------------------------------------------

    def _bounded(self, alts: list[Alt], scenario: Scenario, node=None) -> list[Alt]:
        if len(alts) <= MAX_ALTERNATIVES:
            return alts
        return self._not_analysed(scenario, node)

    def _not_analysed(self, scenario: Scenario, node, message: str | None = None) -> list[Alt]:
        """An unknown value in place of one past the cap; the cap is recorded with the value's region."""
        message = message or f"a value with more than {MAX_ALTERNATIVES} condition scenarios was not analysed"
        self._skip(message, node)
        return [Alt(Unknown(message), scenario)]

    def _skip(self, message: str, node) -> None:
        """Record a value given up on, once per place."""
        mark = getattr(node, "mark", None)
        if (message, mark) not in zip(self.limits_hit, self.limit_marks, strict=True):
            self.limits_hit.append(message)
            self.limit_marks.append(mark)
            self.skipped.append(Skipped(message, self.template.place(mark) if mark else (), mark))

    def _shallow(self, node, scenario: Scenario) -> list[Alt]:
        if isinstance(node, dict):
            if len(node) == 1:  # the one shape of a call: tested first, as most nodes are not
                function = _function(node)
                if function == "Fn::If":
                    return self._branches(node[function], scenario, self._shallow)
                if function is not None:
                    return self.resolve(node, scenario)
        elif isinstance(node, str) and "{{resolve:" in node:
            return self.resolve(node, scenario)
        return [Alt(node, scenario)]

    def _container(self, node, scenario: Scenario) -> list[Alt]:
        """A mapping or list whose items are resolved; each item within the scenario that the
        items before it chose, since a condition narrows what a parameter can be."""
        is_dict = isinstance(node, dict)
        items = list(node.items()) if is_dict else list(enumerate(node))
        combos: list[tuple[Scenario, list]] = [(scenario, [])]
        changed = False
        for key, child in items:
            if not isinstance(child, (dict, list)) and not (isinstance(child, str) and "{{resolve:" in child):
                for _, pairs in combos:  # a plain scalar is its own value in every scenario
                    pairs.append((key, child))
                continue
            following = []
            for combo_scenario, pairs in combos:
                alts = self.resolve(child, combo_scenario)
                if len(alts) == 1 and alts[0].scenario == combo_scenario:
                    changed = changed or alts[0].value is not child
                    pairs.append((key, alts[0].value))
                    following.append((combo_scenario, pairs))
                    continue
                changed = True
                for alt in alts:
                    merged = combo_scenario.merge(alt.scenario)
                    if merged is not None and self.satisfiable(merged):
                        following.append((merged, pairs + [(key, alt.value)]))
            combos = following
            if len(combos) > MAX_ALTERNATIVES:
                return self._bounded(combos, scenario, node)  # type: ignore[arg-type]
        if not changed:
            return [Alt(node, scenario)]
        return [Alt(_rebuild(node, pairs), combo_scenario) for combo_scenario, pairs in combos]

    def _branches(self, args, scenario: Scenario, resolve) -> list[Alt]:
        if not (isinstance(args, list) and len(args) == 3 and isinstance(args[0], str)):
            return [Alt(Unknown("Fn::If needs [condition, value if true, value if false]"), scenario)]
        name = args[0]
        result: list[Alt] = []
        for truth, branch in ((True, args[1]), (False, args[2])):
            chosen = scenario.with_condition(name, truth)
            if chosen is None or not self.satisfiable(chosen):
                continue
            result.extend(resolve(branch, chosen))
        return result or [Alt(Unknown(f"no satisfiable branch of Fn::If {name}"), scenario)]

    def _single(self, node, scenario: Scenario):
        """A value that must not depend on conditions (function names, keys, delimiters)."""
        alts = self.resolve(node, scenario)
        if len(alts) == 1:
            return alts[0].value
        return Unknown("depends on conditions")

    def _combine(self, nodes: list, scenario: Scenario) -> list[tuple[Scenario, list]]:
        """Joint alternatives of several arguments, scenario-consistent: each argument resolved
        within the scenario the ones before it chose."""
        combos: list[tuple[Scenario, list]] = [(scenario, [])]
        for node in nodes:
            combos = [
                (merged, values + [alt.value])
                for combo_scenario, values in combos
                for alt in self.resolve(node, combo_scenario)
                if (merged := combo_scenario.merge(alt.scenario)) is not None and self.satisfiable(merged)
            ]
            if len(combos) > MAX_ALTERNATIVES:  # stop multiplying: the function's value is past the cap
                raise _TooManyScenarios
        return combos

    # -- functions ----------------------------------------------------------------------

    def _name_value(self, name: str, attribute: str | None = None, scenario: Scenario = ALWAYS):
        """What ``Ref name`` (or ``name.attribute`` in a Sub) stands for where ``scenario`` holds."""
        resource = self.template.resources.get(name)
        if resource is not None and resource.type.endswith("::MODULE"):
            return self._made_by_module(name)
        if attribute is not None:
            if resource is not None or name in self.template.generated:
                return Reference(name, attribute)
            return self._made_by_module(f"{name}.{attribute}") or Unknown(f"{name}.{attribute} names no resource")
        if name in self.template.parameters:
            return self.parameter_value(name, scenario)
        if name in PSEUDO_PARAMETERS:
            if name == "AWS::NoValue":
                return ABSENT
            if name in self.pseudo:
                return self.pseudo[name]
            return Unknown(f"{name} is known only at deploy time")
        if resource is not None or name in self.template.generated:
            return Reference(name)
        return self._made_by_module(name) or Unknown(f"{name} is not defined")

    def _made_by_module(self, name: str) -> Unknown | None:
        """A resource a module makes (``MyModuleMyBucket``, ``MyModule.MyBucket``): not in the template."""
        if name in self.template.resources:
            return Unknown(f"{name} is a module, which cfncheck does not read")
        module = self.template.module_of(name)
        if module is None:
            return None
        return Unknown(f"{name} is made by the module {module}, which cfncheck does not read")

    def _ref(self, args, scenario):
        if not isinstance(args, str):
            return [Alt(Unknown("Ref needs a name"), scenario)]
        return [Alt(self._name_value(args, scenario=scenario), scenario)]

    def _getatt(self, args, scenario):
        parts = getatt_parts(args)
        if parts is None:
            return [Alt(Unknown("Fn::GetAtt needs [resource, attribute]"), scenario)]
        target, attribute = parts
        if attribute is None:
            attribute = self._single(args[1], scenario)
            if not isinstance(attribute, str):
                return [Alt(Unknown("the attribute of Fn::GetAtt is not known"), scenario)]
        return [Alt(self._name_value(target, attribute), scenario)]

    def _sub(self, args, scenario):
        if isinstance(args, str):
            text, variables_node = args, None
        elif isinstance(args, list) and 1 <= len(args) <= 2 and isinstance(args[0], str):
            text, variables_node = args[0], (args[1] if len(args) == 2 else None)
        else:
            return [Alt(Unknown("Fn::Sub needs a string or [string, variables]"), scenario)]
        parts = sub_parts(text)
        variable_alts = self.resolve(variables_node, scenario) if variables_node is not None else [Alt({}, scenario)]
        result = []
        for alt in variable_alts:
            variables = alt.value if isinstance(alt.value, dict) else {}
            pieces = []
            for is_variable, name in parts:
                if not is_variable:
                    pieces.append(name)
                elif name in variables:
                    pieces.append(variables[name])
                else:
                    pieces.append(self._name_value(*split_sub_variable(name), alt.scenario))
            result.append(Alt(_concat(pieces), alt.scenario))
        return result

    def _join(self, args, scenario):
        if not (isinstance(args, list) and len(args) == 2):
            return [Alt(Unknown("Fn::Join needs [delimiter, list]"), scenario)]
        result = []
        for combo_scenario, (delimiter, items) in self._combine(args, scenario):
            if not isinstance(delimiter, str) or not isinstance(items, list):
                reason = items.reason if isinstance(items, Unknown) else "Fn::Join of a value that is not a list"
                result.append(Alt(Unknown(reason, getattr(items, "refs", ())), combo_scenario))
                continue
            pieces: list = []
            for index, item in enumerate(items):
                if index:
                    pieces.append(delimiter)
                pieces.append(item)
            result.append(Alt(_concat(pieces), combo_scenario))
        return result

    def _select(self, args, scenario):
        if not (isinstance(args, list) and len(args) == 2):
            return [Alt(Unknown("Fn::Select needs [index, list]"), scenario)]
        result = []
        for combo_scenario, (index, items) in self._combine(args, scenario):
            number = as_number(index)
            if not isinstance(number, int):
                value = Unknown("the index of Fn::Select is not known")
            elif isinstance(items, AvailabilityZones):
                value = AZ(number, items.region)
            elif isinstance(items, list):
                value = (
                    items[number] if 0 <= number < len(items) else Unknown(f"Fn::Select index {number} is out of range")
                )
            else:
                value = items if isinstance(items, Unknown) else Unknown("Fn::Select from a value that is not a list")
            result.append(Alt(value, combo_scenario))
        return result

    def _split(self, args, scenario):
        if not (isinstance(args, list) and len(args) == 2):
            return [Alt(Unknown("Fn::Split needs [delimiter, string]"), scenario)]
        result = []
        for combo_scenario, (delimiter, source) in self._combine(args, scenario):
            if isinstance(delimiter, str) and delimiter and isinstance(source, str):
                value = source.split(delimiter)
            else:
                value = Unknown("Fn::Split of a value that is not known", getattr(source, "refs", ()))
            result.append(Alt(value, combo_scenario))
        return result

    def _find_in_map(self, args, scenario):
        if not (isinstance(args, list) and len(args) in (3, 4)):
            return [Alt(Unknown("Fn::FindInMap needs [map, top-level key, second-level key]"), scenario)]
        default = None
        if len(args) == 4 and isinstance(args[3], dict) and "DefaultValue" in args[3]:
            default = args[3]["DefaultValue"]
        result = []
        for combo_scenario, keys in self._combine(args[:3], scenario):
            keys = [str(k) if isinstance(k, (int, float)) and not isinstance(k, bool) else k for k in keys]
            unknown = next((k for k in keys if not isinstance(k, str)), None)
            if unknown is not None:
                reason = unknown.reason if isinstance(unknown, Unknown) else "a key of Fn::FindInMap is not a string"
                result.append(Alt(Unknown(reason), combo_scenario))
                continue
            node = self.template.mappings
            for key in keys:
                node = node.get(key, ABSENT) if isinstance(node, dict) else ABSENT
            if node is ABSENT and default is not None:
                node = default
            if node is ABSENT:
                result.append(Alt(Unknown(f"mapping {keys[0]} has no entry {keys[1]}/{keys[2]}"), combo_scenario))
            else:
                result.extend(self.resolve(node, combo_scenario))
        return result

    def _if(self, args, scenario):
        return self._branches(args, scenario, self.resolve)

    def _get_azs(self, args, scenario):
        region = self._single(args, scenario) if args is not None else ""
        if isinstance(region, Unknown):
            region = None
        return [Alt(AvailabilityZones(region or self.region), scenario)]

    def _base64(self, args, scenario):
        return self.resolve(args, scenario)  # the text is what a check reads

    def _cidr(self, args, scenario):
        if not (isinstance(args, list) and len(args) == 3):
            return [Alt(Unknown("Fn::Cidr needs [block, count, bits]"), scenario)]
        result = []
        for combo_scenario, (block, count, bits) in self._combine(args, scenario):
            count, bits = as_number(count), as_number(bits)
            try:
                if not isinstance(block, str) or not isinstance(count, int) or not 1 <= count <= MAX_CIDR_COUNT:
                    raise ValueError(block)  # CloudFormation rejects these; a huge count must not be enumerated
                network = ipaddress.ip_network(block, strict=False)
                prefix = network.max_prefixlen - int(bits)
                subnets = network.subnets(new_prefix=prefix)
                value = [str(next(subnets)) for _ in range(int(count))]
            except (TypeError, ValueError, StopIteration):
                value = Unknown("Fn::Cidr of values that are not known or not valid")
            result.append(Alt(value, combo_scenario))
        return result

    def _import_value(self, args, scenario):
        result = []
        for alt in self.resolve(args, scenario):
            name = alt.value
            if not isinstance(name, str):
                result.append(Alt(Unknown("the name of an imported value is not known"), alt.scenario))
                continue
            value = self.importer(name) if self.importer else ABSENT
            if value is ABSENT:
                value = Unknown(f"imported from another stack (export {name})", import_name=name)
            result.append(Alt(value, alt.scenario))
        return result

    def _transform(self, args, scenario):
        name = args.get("Name") if isinstance(args, dict) else None
        shown = f"the macro {name}" if isinstance(name, str) else "a macro"
        self._skip(f"Fn::Transform calls {shown}, which cfncheck cannot run: what it makes here was not checked", args)
        return [Alt(Unknown(f"made by {shown} at deploy time"), scenario)]

    def _length(self, args, scenario):
        return [
            Alt(
                len(alt.value) if isinstance(alt.value, list) else Unknown("Fn::Length of an unknown list"),
                alt.scenario,
            )
            for alt in self.resolve(args, scenario)
        ]

    def _to_json_string(self, args, scenario):
        result = []
        for alt in self.resolve(args, scenario):
            if _plain(alt.value):
                value = json.dumps(alt.value, separators=(",", ":"))
            else:
                value = Unknown("Fn::ToJsonString of a value that is not known")
            result.append(Alt(value, alt.scenario))
        return result

    # Unbound, so that a resolver holds no reference to itself: a run frees each template's whole
    # analysis by reference counting alone (the cyclic collector is off during a run).
    _FUNCTIONS: dict[str, Callable] = {
        "Ref": _ref,
        "Fn::GetAtt": _getatt,
        "Fn::Sub": _sub,
        "Fn::Join": _join,
        "Fn::Select": _select,
        "Fn::Split": _split,
        "Fn::FindInMap": _find_in_map,
        "Fn::If": _if,
        "Fn::GetAZs": _get_azs,
        "Fn::Base64": _base64,
        "Fn::Cidr": _cidr,
        "Fn::ImportValue": _import_value,
        "Fn::Length": _length,
        "Fn::Transform": _transform,
        "Fn::ToJsonString": _to_json_string,
    }


def _split_list(text: str) -> list[str]:
    """A list parameter's value as CloudFormation passes it: comma-separated text."""
    return [item.strip() for item in text.split(",")] if text else []


def _plain(value) -> bool:
    """JSON data with nothing symbolic or unknown anywhere inside."""
    if isinstance(value, dict):
        return all(_plain(v) for v in value.values())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def _function(node) -> str | None:
    """The intrinsic function a node calls, if it is a one-key mapping naming one."""
    if isinstance(node, dict) and len(node) == 1:
        key = next(iter(node))
        if key == "Ref" or key.startswith("Fn::"):
            return key
    return None


def _rebuild(node, pairs: list):
    if isinstance(node, dict):
        result = MarkedDict(mark=getattr(node, "mark", None) or MarkedDict().mark)
        key_marks = getattr(node, "key_marks", {})
        value_marks = getattr(node, "value_marks", {})
        for key, value in pairs:
            if value is ABSENT:
                continue
            result[key] = value
            if key in key_marks:
                result.key_marks[key] = key_marks[key]
                result.value_marks[key] = value_marks[key]
        return result
    result = MarkedList(mark=getattr(node, "mark", None) or MarkedList().mark)
    item_marks = getattr(node, "item_marks", [])
    for index, value in pairs:
        if value is ABSENT:
            continue
        result.append(value)
        if index < len(item_marks):
            result.item_marks.append(item_marks[index])
    return result


def _placeholder(value) -> str:
    if isinstance(value, Reference):
        return "${" + value.target + ("." + value.attribute if value.attribute else "") + "}"
    if isinstance(value, Unknown) and value.text is not None:
        return value.text
    return "${?}"


def _concat(pieces: list):
    """Strings joined, or Unknown naming what they were built from when a piece is not known."""
    if sum(len(p) if isinstance(p, str) else len(getattr(p, "text", None) or "") + 8 for p in pieces) > MAX_TEXT:
        raise _TooLong
    if all(isinstance(p, (str, int, float)) and not isinstance(p, bool) for p in pieces):
        return "".join(str(p) for p in pieces)
    refs: list = []
    reason = None
    for piece in pieces:
        if isinstance(piece, Reference):
            refs.append(piece)
            reason = reason or f"built from {piece}"
        elif isinstance(piece, Unknown):
            refs.extend(piece.refs)
            reason = reason or piece.reason
        elif not isinstance(piece, (str, int, float)):
            reason = reason or "built from a value that is not a string"
    text = "".join(
        p if isinstance(p, str) else str(p) if isinstance(p, (int, float)) else _placeholder(p) for p in pieces
    )
    return Unknown(reason or "not known", tuple(dict.fromkeys(refs)), text)
