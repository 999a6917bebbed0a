"""The `zeebind` command line: one module per subcommand, each adding its parser and entry point."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

# Subcommand -> module under zeebind.cli, defining `configure(parser)` and `main(args) -> int`.
SUBCOMMANDS: dict[str, str] = {
    "engine": "engine",
    "run": "run",
    "feel": "feel",
    "instances": "instances",
    "incidents": "incidents",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zeebind", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module_name in SUBCOMMANDS.items():
        try:
            module = importlib.import_module(f"zeebind.cli.{module_name}")
        except ModuleNotFoundError as err:
            if err.name != f"zeebind.cli.{module_name}":
                raise
            continue
        sub_parser = sub.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0])
        module.configure(sub_parser)
        entry: Callable[[argparse.Namespace], int] = module.main
        sub_parser.set_defaults(entry=entry)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.entry(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
