"""Code shared by the PictoLab services: settings, storage, logging, GraphQL plumbing.

Neither service imports the other; both import this package, and it imports neither (the
command line, which drives the services, is the separate package ``pictolab_cli``;
tests/test_imports.py checks the direction).
"""

__version__ = "0.1.0"
