"""`python -m govtool`."""

from govtool.cli import main

main()
