"""`python -m packgen` runs the command line."""

from .cli import main

main()
