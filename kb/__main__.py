"""``python -m kb``: the same command line as ``kb``."""

from .cli import cli

if __name__ == "__main__":
    cli(prog_name="kb")
