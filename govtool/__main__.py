"""The ``govtool`` script and ``python -m govtool``: a process that runs one command and ends.

Two garbage-collector settings suit such a process and nothing else, so they live
here and not in :func:`govtool.cli.main`, which tests and other callers run in-process:

- The young generation is collected after 50,000 new container objects instead of
  700. Importing typer and rich and building the tracker allocate hundreds of
  thousands of objects that all stay alive; the default threshold makes the
  collector walk them again and again (~5 ms of a 90 ms ``govtool list``). Cyclic
  garbage, which only the collector frees, is rare in govtool, and this bounds it.
- On its way out the interpreter runs one last collection over every object the
  command made (~10 ms), reclaiming nothing in a process about to exit.
  ``gc.freeze()`` moves them out of its reach. Python does not promise ``__del__``
  for objects alive at exit, and govtool closes its files, locks and connections in
  ``with`` blocks before this.

``benchmarks/startup.py`` measures the effect.
"""

import gc

#: Container allocations between collections of the young generation (CPython's default: 700).
YOUNG_GENERATION_THRESHOLD = 50_000


def run() -> None:
    """Run the command in ``sys.argv`` (raises SystemExit with its exit code)."""
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *gc.get_threshold()[1:])
    from govtool.cli import main

    try:
        main()
    finally:
        gc.freeze()


if __name__ == "__main__":
    run()
