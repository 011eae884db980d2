"""Code shared by the PictoLab services: settings, storage, logging, GraphQL plumbing, CLI.

Neither service imports the other; both import this package.
"""

__version__ = "0.1.0"
