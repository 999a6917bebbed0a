"""List process instances from the Operate API as a table (`zeebind instances --state ACTIVE`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from zeebind.operate.client import DEFAULT_URL, OperateClient, OperateClientError

PROG = "zeebind instances"
STATES = ("ACTIVE", "COMPLETED", "CANCELED")
_STYLE = {"ACTIVE": "green", "COMPLETED": "blue", "CANCELED": "yellow"}


def add_connection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--operate-url", default=DEFAULT_URL, help=f"the Operate API ({DEFAULT_URL})"
    )
    parser.add_argument(
        "--operate-token", help="bearer token (default: $ZEEBIND_OPERATE_TOKEN, if set)"
    )
    parser.add_argument("--limit", type=int, default=20, help="rows to show, 1-1000 (20)")


def configure(parser: argparse.ArgumentParser) -> None:
    add_connection(parser)
    parser.add_argument("--state", type=str.upper, choices=STATES, help="only this state")
    parser.add_argument("--process", metavar="BPMN_PROCESS_ID", help="only this process id")
    parser.add_argument("--incidents", action="store_true", help="only instances with incidents")


def main(args: argparse.Namespace) -> int:
    query: dict[str, Any] = {}
    if args.state:
        query["state"] = args.state
    if args.process:
        query["bpmnProcessId"] = args.process
    if args.incidents:
        query["incident"] = True
    body = {"filter": query, "size": args.limit, "sort": [{"field": "key", "order": "DESC"}]}
    try:
        with OperateClient(args.operate_url, token=args.operate_token) as client:
            result = client.search("process-instances", body)
    except OperateClientError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 1
    table = Table(title=f"Process instances ({len(result['items'])} of {result['total']})")
    for column in ("Key", "Process", "Version", "State", "Incident", "Started", "Ended"):
        table.add_column(column, no_wrap=column in ("Key", "Started", "Ended"))
    for item in result["items"]:
        state = item.get("state", "")
        table.add_row(
            str(item["key"]),
            item.get("bpmnProcessId", ""),
            str(item.get("processVersion", "")),
            f"[{_STYLE.get(state, 'white')}]{state}[/]",
            "[red]yes[/]" if item.get("incident") else "",
            item.get("startDate", ""),
            item.get("endDate", ""),
        )
    Console().print(table)
    return 0
