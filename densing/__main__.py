"""``python -m densing``: the ``densing`` command."""

from densing.cli import main

raise SystemExit(main())
