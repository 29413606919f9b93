"""Offline reading of infra/*.bicep for tests/unit/test_infra.py (no Bicep CLI on these machines).

pycep-parser turns a .bicep file into a dict (and raises on a syntax error). Its tree does not tell string
literals from identifiers (`name: account` and `name: 'account'` both give "account"), so the helpers here
resolve a name against what the file declares. `evaluate()` runs the small subset of Bicep expressions the
templates use for their own logic (split, filter, map, ...), so the tests can feed inputs to that logic."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pycep import BicepParser

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"

Doc = dict[str, Any]


def parse(text: str) -> Doc:
    """The syntax tree of Bicep source; raises (lark's UnexpectedInput) on a syntax error."""
    tree: Doc = json.loads(json.dumps(BicepParser().parse(text=text)))
    return tree


@cache
def _parse_file(path: Path) -> str:
    return json.dumps(parse(path.read_text(encoding="utf-8")))


def template(relative: str) -> Doc:
    """The parsed template infra/<relative> (a fresh copy each call: tests may not change the cache)."""
    return json.loads(_parse_file(INFRA / relative))


def bicep_files() -> list[Path]:
    return sorted(INFRA.rglob("*.bicep"))


def key(name: str) -> str:
    """An object key without the quotes pycep keeps on quoted keys ('azd-service-name')."""
    return name[1:-1] if len(name) >= 2 and name[0] == name[-1] == "'" else name


def unquoted(value: Any) -> Any:
    """An object literal with its keys unquoted, recursively."""
    if isinstance(value, dict):
        return {key(k): unquoted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unquoted(v) for v in value]
    return value


def variable(doc: Doc, name: str) -> Any:
    return doc["variables"][name]["value"]


def resources(doc: Doc, type_: str) -> dict[str, Doc]:
    """The resources of one type, by symbolic name."""
    return {name: r for name, r in doc.get("resources", {}).items() if r["type"] == type_}


def body(declaration: Doc) -> Doc:
    """The object of a resource or module declaration, whether it is plain, conditional or a loop."""
    config = declaration["config"]
    return config["config"] if "loop_type" in config or "condition" in config else config


def condition(declaration: Doc) -> Any:
    return declaration["config"].get("condition")


def loop(declaration: Doc) -> tuple[str, str] | None:
    """(item name, array name) of a `[for item in array: ...]` declaration."""
    loop_type = declaration["config"].get("loop_type")
    return (loop_type["detail"]["item_name"], loop_type["detail"]["array_name"]) if loop_type else None


def modules(doc: Doc) -> dict[str, Doc]:
    return dict(doc.get("modules", {}))


def module_path(declaration: Doc) -> str:
    return str(declaration["detail"]["path"])


def accessor(expr: Any) -> list[str] | None:
    """`a.b.c` as ['a', 'b', 'c']; None when expr is not a property access."""
    if isinstance(expr, str):
        return [expr]
    operator = expr.get("operator") if isinstance(expr, dict) else None
    if not operator or operator["type"] != "property_accessor":
        return None
    head = accessor(operator["operands"]["operand_1"])
    tail = accessor(operator["operands"]["operand_2"])
    return head + tail if head is not None and tail is not None else None


@dataclass(frozen=True)
class Grant:
    """One role assignment: the role definition GUID, the resource it is scoped to (None: the deployment's
    own scope), the principal expression, and whether it is conditional."""

    role: str
    scope: str | None
    principal: str
    conditional: bool
    symbol: str


def role_grants(doc: Doc) -> list[Grant]:
    """Every role assignment in a template, with loops over role arrays unrolled to one Grant per role."""
    grants = []
    for symbol, declaration in resources(doc, "Microsoft.Authorization/roleAssignments").items():
        config = body(declaration)
        role_ref = config["properties"]["roleDefinitionId"]["function"]["parameters"]["resource_name_1"]
        looped = loop(declaration)
        role_names = variable(doc, looped[1]) if looped and role_ref == looped[0] else [role_ref]
        for role_name in role_names:
            # A role is named by a variable holding its GUID (the templates comment what each GUID is).
            guid = variable(doc, role_name) if role_name in doc.get("variables", {}) else role_name
            grants.append(Grant(role=guid, scope=config.get("scope"), principal=config["properties"]["principalId"],
                                conditional=condition(declaration) is not None, symbol=symbol))
    return grants


# --- a tiny evaluator for the expressions the templates compute with ---------------------------------------

_INTERPOLATION = re.compile(r"\$\{(\w+)\}")


def _union(*values: Any) -> Any:
    if all(isinstance(v, dict) for v in values):
        merged: dict[str, Any] = {}
        for v in values:
            merged.update(v)
        return merged
    out: list[Any] = []
    for v in values:
        out.extend(item for item in v if item not in out)  # ARM's union keeps each element once
    return out


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "split": lambda input_string, delimiter: input_string.split(delimiter),
    "trim": lambda string_to_trim: string_to_trim.strip(),
    "empty": lambda item_to_test: len(item_to_test) == 0,
    "length": lambda arg_1: len(arg_1),
    "to_lower": lambda string_to_change: string_to_change.lower(),
    "contains": lambda container, item_to_find: item_to_find in container,
    # Deployment scopes, as plain descriptions of where a module would be deployed.
    "subscription": lambda subscription_id: {"subscription": subscription_id},
    "resource_group": lambda subscription_id, resource_group_name: {"subscription": subscription_id,
                                                                    "resourceGroup": resource_group_name},
}


def evaluate(expr: Any, env: Mapping[str, Any]) -> Any:
    """The value of a pycep expression, names looked up in env (a string not in env is a literal)."""
    if isinstance(expr, str):
        if expr in env:
            return env[expr]
        return _INTERPOLATION.sub(lambda m: str(env[m.group(1)]), expr)
    if isinstance(expr, bool | int | float) or expr is None:
        return expr
    if isinstance(expr, list):
        return [evaluate(item, env) for item in expr]
    if "function" in expr:
        return _call(expr["function"], env)
    if "operator" in expr:
        return _operate(expr["operator"], env)
    return {key(k): evaluate(v, env) for k, v in expr.items()}


def _lambda(expr: Doc, env: Mapping[str, Any]) -> Callable[[Any], Any]:
    detail = expr["detail"]
    return lambda item: evaluate(detail["expression"], {**env, detail["var_1"]: item})


def _array(value: Any) -> list[Any]:
    if not isinstance(value, list):  # most likely a name the caller did not put in env
        raise TypeError(f"expected an array, got {value!r}")
    return value


def _call(function: Doc, env: Mapping[str, Any]) -> Any:
    name, params = function["type"], function["parameters"]
    if name == "filter":
        keep = _lambda(params["expression"], env)
        return [item for item in _array(evaluate(params["input_array"], env)) if keep(item)]
    if name == "map":
        change = _lambda(params["arg_2"], env)
        return [change(item) for item in _array(evaluate(params["arg_1"], env))]
    if name == "union":
        return _union(*(evaluate(v, env) for v in params.values()))
    if name == "concat":
        return [item for v in params.values() for item in evaluate(v, env)]
    if name not in _FUNCTIONS:
        raise NotImplementedError(f"the test evaluator does not know {name}()")
    return _FUNCTIONS[name](**{k: evaluate(v, env) for k, v in params.items()})


def _operate(operator: Doc, env: Mapping[str, Any]) -> Any:
    name, operands = operator["type"], operator["operands"]
    if name == "conditional":
        chosen = "true_value" if evaluate(operands["condition"], env) else "false_value"
        return evaluate(operands[chosen], env)
    if name == "not":
        return not evaluate(operands["bool_value"], env)
    if name == "property_accessor":
        target, rest = evaluate(operands["operand_1"], env), operands["operand_2"]
        if isinstance(rest, str):
            return target[rest]
        # pycep nests `p.count == 3` as p.(count == 3) and `a.b.c` as a.(b.c): the right side is then read with
        # the object's properties in scope, which gives what Bicep means.
        return evaluate(rest, {**env, **target})
    first, second = evaluate(operands["operand_1"], env), evaluate(operands["operand_2"], env)
    if name == "equals":
        return first == second
    if name == "and":
        return bool(first) and bool(second)
    if name == "or":
        return bool(first) or bool(second)
    if name == "index_accessor":
        return first[second]
    raise NotImplementedError(f"the test evaluator does not know the operator {name}")


# --- azd's parameter file substitution ------------------------------------------------------------------------

_ENV_REFERENCE = re.compile(r"\$\{(\w+)(?:=([^}]*))?\}")
_COMMAND = re.compile(r"\$\((\w+)((?:\s+[^\s)]+)*)\s*\)")


def azd_parameters(text: str, env: Mapping[str, str]) -> tuple[dict[str, Any], list[tuple[str, list[str]]]]:
    """What azd makes of main.parameters.json: ${VAR} and ${VAR=default} from the azd environment (empty when
    unset), then $(command args) invocations (recorded and replaced by a stand-in), then JSON.
    Returns (parameters, the commands invoked)."""
    substituted = _ENV_REFERENCE.sub(lambda m: env.get(m.group(1), m.group(2) or ""), text)
    commands: list[tuple[str, list[str]]] = []

    def run(match: re.Match[str]) -> str:
        commands.append((match.group(1), match.group(2).split()))
        return "generated-Secret-0123456789"

    return json.loads(_COMMAND.sub(run, substituted))["parameters"], commands
