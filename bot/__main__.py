"""Entry point for `python -m bot`; the same as the `gangmaker` console script."""

from bot.cli import main

main()
