"""End to end: the Python client exported by `cargo xtask export --lang python`, sending every
request example of the document to a running server (the sandbox, in `scripts/client-e2e.sh`).

Usage: python python_e2e.py CLIENT_DIR OPENAPI_JSON BASE_URL TOKEN

Operations run in document order (it follows the reference: an agent is created, submitted,
then launched). For each, every request-body example (or the parameters' examples) is sent
with the generated `sync_detailed`; the answer must be a 200 the generated models parse, and
re-serialize to the JSON the server sent — nothing lost, nothing added. Exits 1 on any failure.
"""

import importlib
import json
import pkgutil
import re
import sys


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def find_module(name: str):
    """`noxitel_api_client.api.<tag>.<name>`, whatever the generator named the tag package."""
    api = importlib.import_module("noxitel_api_client.api")
    for info in pkgutil.iter_modules(api.__path__):
        try:
            return importlib.import_module(f"noxitel_api_client.api.{info.name}.{name}")
        except ModuleNotFoundError:
            continue
    return None


def main() -> int:
    client_dir, document, base_url, token = sys.argv[1:5]
    sys.path.insert(0, client_dir)
    client_mod = importlib.import_module("noxitel_api_client")
    models = importlib.import_module("noxitel_api_client.models")
    client = client_mod.AuthenticatedClient(base_url=base_url, token=token)
    with open(document, encoding="utf-8") as f:
        spec = json.load(f)

    failures, calls = [], 0
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "delete", "patch"):
                continue
            op_id = op["operationId"]
            module = find_module(snake(op_id))
            if module is None:
                calls += 1
                failures.append(f"{op_id}: no generated module")
                continue

            params = {}
            for p in op.get("parameters", []):
                value = p.get("example")
                if value is None and "enum" in p.get("schema", {}):
                    value = p["schema"]["enum"][0]
                if value is None:
                    ref = p.get("schema", {}).get("$ref")
                    if ref:
                        schema = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
                        value = schema.get("enum", [None])[0]
                if value is None:
                    continue
                params[snake(p["name"])] = value
            # Enum-typed parameters take the generated enum class.
            signature = module.sync_detailed.__annotations__
            for name, value in list(params.items()):
                annotation = signature.get(name)
                enum_cls = getattr(models, getattr(annotation, "__name__", ""), None)
                if enum_cls is not None and hasattr(enum_cls, "__members__"):
                    params[name] = enum_cls(value)

            content = op.get("requestBody", {}).get("content", {}).get("application/json")
            bodies = [None]
            if content:
                model = getattr(models, content["schema"]["$ref"].rsplit("/", 1)[-1])
                bodies = [
                    (name, model.from_dict(ex["value"]))
                    for name, ex in content.get("examples", {}).items()
                ]
            for body in bodies:
                label = op_id if body is None else f"{op_id}[{body[0]}]"
                kwargs = dict(params)
                if body is not None:
                    kwargs["body"] = body[1]
                calls += 1
                try:
                    answer = module.sync_detailed(client=client, **kwargs)
                except Exception as e:  # a generated parser that cannot read the answer
                    failures.append(f"{label}: {type(e).__name__}: {e}")
                    continue
                raw = json.loads(answer.content) if answer.content else None
                if answer.status_code != 200:
                    failures.append(f"{label}: HTTP {answer.status_code}: {raw}")
                    continue
                parsed = answer.parsed
                if parsed is None or type(parsed).__name__ == "ApiError":
                    failures.append(f"{label}: not parsed as the success type: {raw}")
                    continue
                again = (
                    [x.to_dict() for x in parsed]
                    if isinstance(parsed, list)
                    else parsed.to_dict()
                )
                if again != raw:
                    failures.append(f"{label}: re-serialized {again} != sent {raw}")
                    continue
                print(f"ok  {method.upper():6} {path:24} {label}")

    for f in failures:
        print(f"FAIL {f}")
    print(f"{calls - len(failures)}/{calls} calls passed through the generated Python client")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
