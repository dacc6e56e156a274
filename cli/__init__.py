"""Command-line interface: the `pingan` command."""
