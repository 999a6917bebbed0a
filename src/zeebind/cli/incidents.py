"""List incidents from the Operate API as a table (`zeebind incidents --all`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from zeebind.cli.instances import add_connection
from zeebind.operate.client import OperateClient, OperateClientError

PROG = "zeebind incidents"


def configure(parser: argparse.ArgumentParser) -> None:
    add_connection(parser)
    parser.add_argument("--all", action="store_true", help="resolved incidents too")
    parser.add_argument("--instance", type=int, metavar="KEY", help="only this process instance")


def main(args: argparse.Namespace) -> int:
    query: dict[str, Any] = {} if args.all else {"state": "ACTIVE"}
    if args.instance is not None:
        query["processInstanceKey"] = args.instance
    body = {
        "filter": query,
        "size": args.limit,
        "sort": [{"field": "creationTime", "order": "DESC"}],
    }
    try:
        with OperateClient(args.operate_url, token=args.operate_token) as client:
            result = client.search("incidents", body)
    except OperateClientError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 1
    table = Table(title=f"Incidents ({len(result['items'])} of {result['total']})")
    for column in ("Key", "Instance", "Type", "State", "Created", "Message"):
        table.add_column(column, no_wrap=column not in ("Message",))
    for item in result["items"]:
        state = item.get("state", "")
        table.add_row(
            str(item["key"]),
            str(item.get("processInstanceKey", "")),
            item.get("type", ""),
            f"[{'red' if state == 'ACTIVE' else 'dim'}]{state}[/]",
            item.get("creationTime", ""),
            item.get("message", ""),
        )
    Console().print(table)
    return 0
