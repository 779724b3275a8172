"""The `newswatch` command: run a poll pass, search the index, extract entities and quotes.

Hands on `main`; each command group lives in its own module (`extract`, `poll`, `topics`, `alerts`,
`ops`, `search`) and registers its sub-commands.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys

from pipeline.cli import alerts, events, extract, feedback, figures, local_airflow, ops, poll, search, topics
from pipeline.cli.common import EXIT_CONFIG, EXIT_OTHER, EXIT_STORE
from pipeline.cli.parsing import Parser, run_guarded
from pipeline.redact import install_log_redaction, redact

DESCRIPTION = "The `newswatch` command: run a poll pass, search the index, extract entities and quotes."


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("newswatch")
    except PackageNotFoundError:
        return "(not installed)"


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="newswatch", description=DESCRIPTION)
    parser.add_argument("-v", "--verbose", action="store_true", help="log what each stage does")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    parser.add_argument("--version", action="version", version=f"newswatch {_version()}")
    common = Parser(add_help=False)  # the same flags after the command: `newswatch poll -v`
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, parents=[common])

    for group in (extract, poll, topics, events, figures, alerts, feedback, ops, search, local_airflow):  # `--help` order
        group.register(command)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not args.verbose:  # the client logs each retry with a traceback; the one-line error below says it all
        logging.getLogger("elastic_transport").setLevel(logging.CRITICAL)
    install_log_redaction()  # feed URLs with credentials are logged by stages that never see a secret as such
    from pipeline.errors import ConfigError, NewswatchError, StoreError

    # What is loaded by now lives until exit: kept out of the collector's full passes, a pass over a
    # thousand feeds does not walk the libraries' objects again and again, nor once more at exit.
    gc.freeze()
    try:
        return run_guarded(lambda: int(args.func(args)))
    except NewswatchError as exc:
        if args.debug:
            raise
        print(f"newswatch: {redact(str(exc))}", file=sys.stderr)
        if isinstance(exc, ConfigError):
            return EXIT_CONFIG
        return EXIT_STORE if isinstance(exc, StoreError) else EXIT_OTHER
    except Exception as exc:  # a defect: Python's own exit status 1 is this tool's "nothing found", which a
        if args.debug:  # script reading it would take for a quiet day
            raise
        logging.getLogger("pipeline.cli").debug("internal error", exc_info=True)
        print(f"newswatch: internal error: {type(exc).__name__}: {redact(str(exc))[:500]} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return EXIT_OTHER


if __name__ == "__main__":
    sys.exit(main())
