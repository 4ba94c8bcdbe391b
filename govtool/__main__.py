"""`python -m govtool`."""

from govtool.cli import run

run()
