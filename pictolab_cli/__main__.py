"""``python -m pictolab_cli ...`` is ``pictolab ...`` (the supervisor starts its children so,
with the same interpreter, whether or not the console script is on PATH)."""

from .main import main

main()
