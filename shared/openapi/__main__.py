"""Write the API description: `python -m shared.openapi openapi [FILE]` or `... connector DIR [--host H]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from shared.openapi.connector import PLACEHOLDER_HOST, write_connector
from shared.openapi.document import build_document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.openapi", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    openapi = commands.add_parser("openapi", help="the OpenAPI 3.1 document (relative server)")
    openapi.add_argument("output", nargs="?", type=Path, help="file to write; standard output without it")
    connector = commands.add_parser("connector", help="the Power Platform custom connector files")
    connector.add_argument("folder", type=Path, help="where apiDefinition.swagger.json and apiProperties.json go")
    connector.add_argument("--host", default=PLACEHOLDER_HOST,
                           help=f"the function app's host name (default: the placeholder {PLACEHOLDER_HOST})")
    args = parser.parse_args(argv)
    if args.command == "openapi":
        text = json.dumps(build_document(), indent=2, ensure_ascii=False) + "\n"
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    for path in write_connector(args.folder, args.host):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
